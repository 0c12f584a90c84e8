// swarm: backends discovered from a Docker Swarm manager, configured by service labels.
// The provider follows the manager's events and, while a change is under way, lists services
// and tasks again at short, growing intervals (swarm_api.hpp; docs/swarm.md says why): the
// manager announces no task, so a rolling update's later slots and a task told to stop are
// seen by listing, within half a second, not at a fixed polling period.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include "engine_provider.hpp"
#include "swarm_api.hpp"
#include "sluice/sdk/declare.hpp"

namespace sluice::docker::swarm {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

// After a change: list again at once, after 100 ms, then at doubling intervals up to 500 ms,
// for at least `settle_window` and then for as long as the swarm has not settled. Once it
// has not settled for `busy_limit` (a task that cannot be placed, a crash loop), every 5 s,
// and its containers' events no longer hurry the next list.
constexpr auto first_step = 100ms, longest_step = 500ms, slow_step = 5000ms;
constexpr auto settle_window = 2s, busy_limit = 60s;

class swarm_provider : public engine_provider<swarm_provider> {
public:
    swarm_provider(sdk::host host, engine_settings s) : engine_provider(host, std::move(s)) {}
    ~swarm_provider() { stop(); }

    template <class Link>
    net::awaitable<void> session(Link& link) {
        using namespace net::experimental::awaitable_operators;
        const auto info = co_await link.get(api_ + "/info");
        if (info.first != 200) throw engine_error("GET /info answered " + std::to_string(info.first));
        const node_role role = parse_info(info.second);
        if (role.local_node_state != "active")
            throw engine_refusal("the daemon is not in a swarm (its state: " +
                               (role.local_node_state.empty() ? std::string("none") : role.local_node_state) +
                               "); the swarm provider needs a manager's socket");
        if (!role.manager)
            throw engine_refusal("the daemon is a swarm worker; the swarm provider needs a manager's socket");

        // Subscribe first, then list: nothing that happens in between is missed.
        co_await link.open_events(api_ + "/events?filters=" +
                                  url_encode(R"({"type":["service","node","network","container"]})"));
        co_await find_own_networks(link);
        state_.withdrawn.clear();  // what local events said before the gap may be out of date
        co_await relist(link);
        connected();
        publish();
        // A gap may have hidden a change under way: follow it until settled.
        change_seen();
        next_relist_ = last_change_ + first_step;
        co_await (follow_events(link) || settle(link));
    }

private:
    template <class Link>
    net::awaitable<void> follow_events(Link& link) {
        for (;;) {
            const event e = parse_event(co_await link.next_event());
            if (e.type == "service" || e.type == "node" || e.type == "network") {
                unsettled_since_ = clock::time_point::max();  // a new change: followed closely again
                change_seen();
            } else if (e.type == "container" && !e.task_id.empty()) {
                const std::string& a = e.action;
                // Out at once, before the manager knows: a stop or a kill under way (TERM,
                // KILL, INT, QUIT), an exit, a failing health check.
                const bool ending = a == "stop" || a == "die" || a == "health_status: unhealthy" ||
                                    (a == "kill" && (e.signal.empty() || e.signal == "15" || e.signal == "9" ||
                                                     e.signal == "2" || e.signal == "3"));
                if (ending && state_.withdrawn.insert(e.task_id).second) publish();
                if (a == "health_status: healthy" && state_.withdrawn.erase(e.task_id)) publish();
                // A crash loop keeps starting and ending containers: once the swarm has been
                // busy for `busy_limit`, they no longer hurry the next list.
                if ((ending || a == "start" || a.starts_with("health_status")) && !busy(clock::now())) change_seen();
            }
        }
    }

    // Lists again while a change is under way; ends when the session does (the event
    // stream failed: the operator|| above cancels this loop).
    template <class Link>
    net::awaitable<void> settle(Link& link) {
        const auto cancellation = co_await net::this_coro::cancellation_state;
        for (;;) {
            settle_timer_.expires_at(next_relist_);
            co_await settle_timer_.async_wait(nothrow);
            if (cancellation.cancelled() != net::cancellation_type::none) co_return;
            const auto began = clock::now();
            if (began < next_relist_) continue;  // woken early: the time was changed
            co_await relist(link);
            publish();
            if (last_change_ > began) {  // a change came while listing
                next_relist_ = clock::now();
                continue;
            }
            const bool calm = settled(state_);
            unsettled_since_ = calm ? clock::time_point::max() : std::min(unsettled_since_, began);
            if (calm && began - last_change_ >= settle_window) {
                next_relist_ = clock::time_point::max();
            } else {
                step_ = busy(began) ? clock::duration(slow_step) : std::min<clock::duration>(step_ * 2, longest_step);
                next_relist_ = clock::now() + step_;
            }
        }
    }

    // Not settled for `busy_limit` now (a task that cannot be placed, a crash loop).
    bool busy(clock::time_point now) const {
        return unsettled_since_ != clock::time_point::max() && now - unsettled_since_ >= busy_limit;
    }

    void change_seen() {
        last_change_ = clock::now();
        step_ = first_step / 2;  // the first relist at once, the next 100 ms later
        next_relist_ = last_change_;
        settle_timer_.cancel();
    }

    template <class Link>
    net::awaitable<void> relist(Link& link) {
        const auto networks = co_await link.get(api_ + "/networks?filters=" + url_encode(R"({"scope":["swarm"]})"));
        if (networks.first != 200) throw engine_error("listing networks answered " + std::to_string(networks.first));
        const auto services = co_await link.get(api_ + "/services?status=true");
        if (services.first != 200) throw engine_error("listing services answered " + std::to_string(services.first));
        const auto tasks = co_await link.get(api_ + "/tasks?filters=" + url_encode(R"({"desired-state":["running"]})"));
        if (tasks.first != 200) throw engine_error("listing tasks answered " + std::to_string(tasks.first));
        read_lists(networks.second, services.second, tasks.second);
    }

    // Outside the coroutine frame (GCC 12 and structured bindings across suspension points).
    void read_lists(const std::string& networks, const std::string& services, const std::string& tasks) {
        state_.networks = parse_networks(networks);
        state_.services = parse_services(services);
        state_.tasks = parse_tasks(tasks);
        // A withdrawn task stays out until the manager lists it no more (or it is healthy again).
        std::set<std::string> listed;
        for (const auto& t : state_.tasks) listed.insert(t.id);
        std::erase_if(state_.withdrawn, [&](const std::string& id) { return !listed.count(id); });
    }

    void publish() {
        std::vector<std::string> warnings;
        auto containers = containers_of(state_, settings_.labels, warnings);
        engine_provider::publish(std::move(containers), std::move(warnings));
    }

    state state_;
    net::steady_timer settle_timer_{ioc_};
    clock::time_point last_change_{}, next_relist_ = clock::time_point::max();
    clock::time_point unsettled_since_ = clock::time_point::max();
    clock::duration step_ = first_step;
};

}  // namespace
}  // namespace sluice::docker::swarm

SLUICE_DECLARE_PROVIDER(sluice::docker::swarm::swarm_provider, "swarm", "1.0.0",
                        "Backends from a Docker Swarm manager, configured by service labels",
                        "endpoint = \"unix:///var/run/docker.sock\"\nlabelPrefix = \"sluice\"\nexposedByDefault = true\n")
