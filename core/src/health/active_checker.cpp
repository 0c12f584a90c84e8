#include "health/active_checker.hpp"

#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

namespace sluice::health {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {
constexpr auto nothrow = net::as_tuple(net::use_awaitable);
}

// The probes of one service object; stopping it ends their loops. It holds the service, so
// the object outlives its loops and its address names no other service while it is kept.
struct active_checker::round {
    std::shared_ptr<const runtime::service> svc;
    bool stopped = false;
    std::vector<std::shared_ptr<net::steady_timer>> timers;
    void stop() {
        stopped = true;
        for (auto& t : timers) t->cancel();
    }
};

active_checker::~active_checker() {
    for (auto& [svc, r] : rounds_) r->stop();
}

void active_checker::watch(const std::shared_ptr<const runtime::snapshot>& next) {
    std::map<const runtime::service*, std::shared_ptr<round>> rounds;
    std::set<std::pair<std::string, std::string>> live;
    for (const auto& [name, svc] : next->services) {
        if (!svc->health_check) {
            // One whose service stopped checking is no longer held DOWN by an old verdict.
            for (const auto& h : svc->health) h->active_up.store(true, std::memory_order_relaxed);
            continue;
        }
        for (const auto& s : svc->servers) live.emplace(name, s.url);
        // A service the snapshot kept from the one before (its definition did not change)
        // keeps its probes and their rhythm: a stream of changes elsewhere neither restarts
        // them nor cuts a slow probe short.
        if (auto kept = rounds_.find(svc.get()); kept != rounds_.end()) {
            rounds.insert(rounds_.extract(kept));
            continue;
        }
        // Known servers keep their verdict across the reload (the registry carried it).
        auto r = std::make_shared<round>();
        r->svc = svc;
        for (std::size_t i = 0; i < svc->servers.size(); ++i)
            net::co_spawn(control_, probe_loop(r, *svc, i), net::detached);
        rounds.emplace(svc.get(), std::move(r));
    }
    for (auto& [svc, r] : rounds_) r->stop();
    rounds_ = std::move(rounds);
    std::erase_if(counts_, [&](const auto& entry) { return !live.count(entry.first); });
}

// `r` holds `svc` for as long as the loop runs.
net::awaitable<void> active_checker::probe_loop(std::shared_ptr<round> r, const runtime::service& svc,
                                                std::size_t index) {
    auto timer = std::make_shared<net::steady_timer>(control_);
    r->timers.push_back(timer);
    // The first probe runs at once: a dead server is found before its first interval.
    while (!r->stopped) {
        std::string reason;
        const bool ok = co_await probe(svc, svc.servers[index], reason);
        if (r->stopped) break;
        record(svc, index, ok, reason);
        timer->expires_after(svc.health_check->interval);
        co_await timer->async_wait(nothrow);
    }
}

net::awaitable<bool> active_checker::probe(const runtime::service& svc, const runtime::server& s, std::string& reason) {
    const auto& hc = *svc.health_check;
    const std::uint16_t port = hc.port ? hc.port : s.endpoint.port;
    beast::tcp_stream stream(control_);
    stream.expires_after(hc.timeout);
    net::ip::tcp::resolver resolver(control_);
    // Kept whole: GCC 12 mishandles structured bindings of non-trivial types in coroutines.
    const auto resolved = co_await resolver.async_resolve(s.endpoint.host, std::to_string(port), nothrow);
    const auto& [rec, results] = resolved;
    if (rec) {
        reason = "cannot resolve " + s.endpoint.host + ": " + rec.message();
        co_return false;
    }
    auto [cec, ep] = co_await stream.async_connect(results, nothrow);
    if (cec) {
        reason = cec == beast::error::timeout ? "connect timed out" : "connect failed: " + cec.message();
        co_return false;
    }
    bhttp::request<bhttp::empty_body> req;
    req.method_string(hc.method);
    req.target(hc.path);
    req.version(11);
    std::string host = hc.hostname.empty() ? s.endpoint.authority : hc.hostname;
    if (hc.hostname.empty() && hc.port) host = s.endpoint.host + ":" + std::to_string(port);
    req.set(bhttp::field::host, host);
    req.set(bhttp::field::user_agent, "sluice-health-check");
    req.set(bhttp::field::connection, "close");
    for (const auto& [k, v] : hc.headers) req.set(k, v);
    auto [wec, wn] = co_await bhttp::async_write(stream, req, nothrow);
    bhttp::response_parser<bhttp::empty_body> parser;
    parser.skip(true);  // the status is the answer; the body is not read
    beast::flat_buffer buffer;
    boost::system::error_code hec = wec;
    if (!hec) {
        auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, nothrow);
        hec = ec;
    }
    if (hec) {
        reason = hec == beast::error::timeout ? "no answer within " + std::to_string(hc.timeout.count()) + " ms"
                                              : "request failed: " + hec.message();
        co_return false;
    }
    const unsigned status = parser.get().result_int();
    const bool ok = hc.status ? status == hc.status : status >= 200 && status < 400;
    reason = "status " + std::to_string(status);
    co_return ok;
}

void active_checker::record(const runtime::service& svc, std::size_t index, bool ok, const std::string& reason) {
    const auto& hc = *svc.health_check;
    auto& counts = counts_[{svc.name, svc.servers[index].url}];
    // Only this thread writes the active verdict.
    auto& verdict = svc.health[index]->active_up;
    const bool up = verdict.load(std::memory_order_relaxed);
    if (ok) {
        counts.failures = 0;
        ++counts.successes;
    } else {
        counts.successes = 0;
        ++counts.failures;
    }
    if (up && !ok && counts.failures >= hc.unhealthy_threshold) {
        spdlog::warn("server {} of service {} is DOWN: {} ({} failed probe(s) in a row)", svc.servers[index].url,
                     svc.name, reason, counts.failures);
    } else if (!up && ok && counts.successes >= hc.healthy_threshold) {
        spdlog::info("server {} of service {} is UP again: {} ({} good probe(s) in a row)", svc.servers[index].url,
                     svc.name, reason, counts.successes);
        svc.health[index]->up_since_ms.store(runtime::steady_now_ms(), std::memory_order_relaxed);  // slow start
    } else {
        return;
    }
    verdict.store(!up, std::memory_order_relaxed);
}

}  // namespace sluice::health
