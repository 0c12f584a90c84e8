#include "health/passive_health.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

namespace sluice::health {

namespace net = boost::asio;

namespace {

// Control thread only (newest_up is the registry's to set).
void refresh_newest(runtime::server_health& state, std::int64_t now_ms) {
    if (auto up = state.newest_up.lock()) up->store(state.available(now_ms), std::memory_order_relaxed);
}

}  // namespace

void record_passive_failure(const runtime::service& svc, std::size_t index,
                            const std::shared_ptr<const runtime::snapshot>& snapshot, net::io_context& control) {
    if (!svc.passive_health_check) return;
    const auto& cfg = *svc.passive_health_check;
    auto& h = *svc.health[index];
    const std::int64_t now = runtime::steady_now_ms();
    const std::int64_t window = cfg.failure_window.count();
    if (now - h.window_start_ms.load(std::memory_order_relaxed) > window) {
        h.window_start_ms.store(now, std::memory_order_relaxed);
        h.failures.store(0, std::memory_order_relaxed);
    }
    if (h.failures.fetch_add(1, std::memory_order_relaxed) + 1 < cfg.max_failed_attempts) return;
    const std::int64_t until = now + window;
    if (h.ejected_until_ms.exchange(until, std::memory_order_relaxed) > now) return;  // already out
    svc.refresh(index, now);
    const std::string url = svc.servers[index].url;
    spdlog::warn("server {} of service {} ejected for {} ms: {} failure(s) within {} ms", url, svc.name, window,
                 cfg.max_failed_attempts, window);
    // A request that began before a reload still ejects the server from the newest snapshot.
    net::post(control, [snapshot, &h] { refresh_newest(h, runtime::steady_now_ms()); });
    // Back in rotation when the window has passed (unless ejected again meanwhile).
    auto timer = std::make_shared<net::steady_timer>(control, cfg.failure_window);
    timer->async_wait([timer, snapshot, &svc, index, url](boost::system::error_code ec) {
        if (ec) return;
        const auto now_ms = runtime::steady_now_ms();
        svc.refresh(index, now_ms);
        refresh_newest(*svc.health[index], now_ms);
        if (svc.up[index].load(std::memory_order_relaxed))
            spdlog::info("server {} of service {} back in rotation after its ejection", url, svc.name);
    });
}

}  // namespace sluice::health
