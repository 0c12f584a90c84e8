// docker: backends discovered live from the Docker Engine, configured by container labels.
// The provider watches the Engine (engine_api.hpp) and publishes what the containers' labels
// say (labels.hpp) as one configuration document.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio.hpp>

#include "engine_api.hpp"
#include "engine_provider.hpp"
#include "labels.hpp"
#include "sluice/sdk/declare.hpp"

namespace sluice::docker {
namespace {

using namespace std::chrono_literals;

class docker_provider : public engine_provider<docker_provider> {
public:
    docker_provider(sdk::host host, engine_settings s) : engine_provider(host, std::move(s)) {}
    ~docker_provider() { stop(); }

    template <class Link>
    net::awaitable<void> session(Link& link) {
        // Subscribe first, then list: nothing that happens in between is missed.
        co_await link.open_events(api_ + "/events?filters=" + url_encode(R"({"type":["container","network"]})"));
        co_await find_own_networks(link);
        const auto list = co_await link.get(api_ + "/containers/json?all=1");
        if (list.first != 200) throw engine_error("listing containers answered " + std::to_string(list.first));
        containers_.clear();
        for (const std::string& id : container_ids(list.second)) co_await inspect(link, id);
        connected();
        publish();
        for (;;) {
            const std::string line = co_await link.next_event();
            const engine_event event = parse_event(line);
            const std::string& action = event.action;
            const std::string& id = event.id;
            const std::string& signal = event.signal;
            if (id.empty()) continue;
            if (action == "kill" || action == "stop") {
                // Stop sending new requests now, not when it dies (TERM, KILL, INT, QUIT).
                if (action == "kill" && !signal.empty() && signal != "15" && signal != "9" && signal != "2" &&
                    signal != "3")
                    continue;
                if (auto it = containers_.find(id); it != containers_.end() && !it->second.stopping) {
                    it->second.stopping = true;
                    publish();
                }
            } else if (action == "die" || action == "destroy") {
                if (containers_.erase(id)) publish();
            } else if (action == "start" || action == "unpause" || action == "pause" || action == "restart" ||
                       action == "connect" || action == "disconnect" || action.starts_with("health_status")) {
                if ((action == "connect" || action == "disconnect") && !containers_.count(id)) continue;
                co_await inspect(link, id);
                publish();
                if (action == "start") co_await await_address(link, id);
            }
        }
    }

private:
    // A start event can come before the container's network is attached.
    template <class Link>
    net::awaitable<void> await_address(Link& link, const std::string& id) {
        for (int attempt = 0; attempt < 20; ++attempt) {
            auto it = containers_.find(id);
            if (it == containers_.end() || it->second.network_mode == "host") co_return;
            for (const auto& [name, ip] : it->second.networks)
                if (!ip.empty()) co_return;
            net::steady_timer timer(ioc_, 50ms);
            co_await timer.async_wait(nothrow);
            co_await inspect(link, id);
            publish();
        }
    }

    template <class Link>
    net::awaitable<void> inspect(Link& link, const std::string& id) {
        const auto reply = co_await link.get(api_ + "/containers/" + id + "/json");
        if (reply.first == 404) {
            containers_.erase(id);
            co_return;
        }
        if (reply.first != 200)
            throw engine_error("inspecting " + id.substr(0, 12) + " answered " + std::to_string(reply.first));
        containers_[id] = parse_inspect(reply.second);
    }

    void publish() {
        std::vector<container> list;
        for (const auto& [id, c] : containers_) list.push_back(c);
        engine_provider::publish(std::move(list));
    }

    std::map<std::string, container> containers_;  // by ID: names and addresses are reused
};

}  // namespace
}  // namespace sluice::docker

SLUICE_DECLARE_PROVIDER(sluice::docker::docker_provider, "docker", "1.0.0",
                        "Backends from the Docker Engine, configured by container labels",
                        "endpoint = \"unix:///var/run/docker.sock\"\nlabelPrefix = \"sluice\"\nexposedByDefault = true\n")
