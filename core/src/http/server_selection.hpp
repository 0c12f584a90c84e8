// The host's side of a request's picks (Pingora's selection model): the service's picker
// proposes servers in its algorithm's order; this accepts those that are up (active verdict
// and not ejected) and have not failed this request yet, holds back a share of new
// placements on a server in its slow start, and caps how many proposals one pick may make.
// Balancer plugins are only their algorithm.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>

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
        return accept_pinned(server) && !held_back(static_cast<std::size_t>(server));
    }
    // A server the request is pinned to (a sticky cookie): slow start does not apply.
    bool accept_pinned(std::int32_t server) const noexcept override {
        // Bounded: a picker that proposes in a loop is refused from here on.
        if (++proposals_ > 4 * svc_.servers.size() + 4) return false;
        return accepted(server);
    }

    // The picker found no server because slow start held back every one it proposed: from
    // now on it does not (a server in its window is better than none), with a fresh
    // allowance of proposals. False when nothing was held back: there is no server.
    bool relax_slow_start() noexcept {
        if (!held_back_any_ || relaxed_) return false;
        relaxed_ = true;
        proposals_ = 0;
        return true;
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
    // Slow start: a server `ramp` into its window takes a new placement with that probability.
    // One draw per request, however often the picker proposes the server (random and p2c
    // draw again), so that the probability stays `ramp`.
    bool held_back(std::size_t server) const noexcept {
        if (svc_.slow_start_ms <= 0 || relaxed_) return false;
        const double ramp = svc_.health[server]->ramp(now_ms_, svc_.slow_start_ms);
        if (ramp >= 1.0) return false;
        if (draw_ < 0) {
            thread_local std::mt19937_64 generator{std::random_device{}()};
            draw_ = static_cast<double>(generator() >> 11) * 0x1.0p-53;
        }
        if (draw_ < ramp) return false;
        held_back_any_ = true;
        return true;
    }

    const runtime::service& svc_;
    std::int64_t now_ms_;
    std::array<std::int32_t, max_failures> failed_{};
    std::size_t failures_ = 0;
    mutable std::size_t proposals_ = 0;
    mutable bool held_back_any_ = false;
    mutable double draw_ = -1;  // the request's draw in [0, 1) for slow start, once needed
    bool relaxed_ = false;
};

// One pick on `svc` for `request`: the picker's proposal (asked once more, slow start
// relaxed, when slow start held back every server it proposed). A failed picker, or a
// proposal the host refuses, gives way to the first server the host accepts; `chosen` is
// then false, and the picker hears of the refused proposal as an attempt that ended before
// it began (what it counted at pick time is counted back), and of no attempt on the server
// taken instead. -1: no server.
inline std::int32_t pick_server(const runtime::service& svc, const sluice_request& request,
                                server_selection& selection, bool& chosen) noexcept {
    std::int32_t index = svc.pick_ops->pick(svc.picker, &request, &selection);
    if (index == -1 && selection.relax_slow_start()) index = svc.pick_ops->pick(svc.picker, &request, &selection);
    chosen = true;
    // A picker may only return what the host accepted.
    if (index == SLUICE_PICK_FAILED || (index >= 0 && !selection.accepted(index))) {
        if (index >= 0 && svc.pick_ops->on_attempt) {
            const sluice_attempt a{sizeof(sluice_attempt), index, SLUICE_ATTEMPT_REFUSED, 0, 0};
            svc.pick_ops->on_attempt(svc.picker, &request, &a);
        }
        chosen = false;
        return selection.first_accepted();
    }
    return index;
}

}  // namespace sluice::http
