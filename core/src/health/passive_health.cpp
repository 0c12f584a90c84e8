#include "health/passive_health.hpp"

#include <memory>

#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

namespace sluice::health {

namespace net = boost::asio;

void record_passive_failure(const runtime::service& svc, std::size_t index, net::io_context& control) {
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
    spdlog::warn("server {} of service {} ejected for {} ms: {} failure(s) within {} ms", svc.servers[index].url,
                 svc.name, window, cfg.max_failed_attempts, window);
    // The server is back when the window has passed (unless ejected again meanwhile): say so.
    auto timer = std::make_shared<net::steady_timer>(control, cfg.failure_window);
    timer->async_wait([timer, state = svc.health[index], url = svc.servers[index].url,
                       name = svc.name](boost::system::error_code ec) {
        if (!ec && state->available(runtime::steady_now_ms()))
            spdlog::info("server {} of service {} back in rotation after its ejection", url, name);
    });
}

}  // namespace sluice::health
