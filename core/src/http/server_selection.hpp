// The host's side of a request's picks (Pingora's selection model): the service's picker
// proposes servers in its algorithm's order; this accepts those that are up (active verdict
// and not ejected) and have not failed this request yet, and caps how many proposals one
// pick may make. Balancer plugins are only their algorithm.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "runtime/snapshot.hpp"
#include "plugin/host_api.hpp"

namespace sluice::http {

class server_selection final : public sluice_server_filter {
public:
    // Servers one request may fail on before the proxy answers with the last failure.
    static constexpr std::size_t max_failures = 12;

    // `now_ms`: steady-clock milliseconds (runtime::steady_now_ms()), against which passive
    // ejections are judged for the whole request.
    server_selection(const runtime::service& svc, std::int64_t now_ms) noexcept : svc_(svc), now_ms_(now_ms) {}

    bool accept(std::int32_t server) const noexcept override {
        // Bounded: a picker that proposes in a loop is refused from here on.
        if (++proposals_ > 4 * svc_.servers.size() + 4) return false;
        return accepted(server);
    }

    bool accepted(std::int32_t server) const noexcept {
        if (server < 0 || static_cast<std::size_t>(server) >= svc_.servers.size()) return false;
        if (!svc_.health[static_cast<std::size_t>(server)]->available(now_ms_)) return false;
        for (std::size_t i = 0; i < failures_; ++i)
            if (failed_[i] == server) return false;
        return true;
    }

    // For a picker that failed or proposed a refused server: the first acceptable one.
    std::int32_t first_accepted() const noexcept {
        for (std::size_t i = 0; i < svc_.servers.size(); ++i)
            if (accepted(static_cast<std::int32_t>(i))) return static_cast<std::int32_t>(i);
        return -1;
    }

    // The request failed on `server`: it is refused from now on, and the next pick starts
    // with a fresh allowance of proposals.
    void fail(std::int32_t server) noexcept {
        if (failures_ < failed_.size()) failed_[failures_++] = server;
        proposals_ = 0;
    }
    std::size_t failures() const noexcept { return failures_; }

private:
    const runtime::service& svc_;
    std::int64_t now_ms_;
    std::array<std::int32_t, max_failures> failed_{};
    std::size_t failures_ = 0;
    mutable std::size_t proposals_ = 0;
};

}  // namespace sluice::http
