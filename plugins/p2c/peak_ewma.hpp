// A server's peak-EWMA response time (Finagle's PeakEwma, the cost Linkerd balances on),
// kept without a lock: pickers on every worker read it while the attempts ending on every
// worker fold answers in.
//
// A slower answer than the current estimate raises it at once (the peak); a faster one
// brings it down as a moving average whose weight on the past is exp(-Δt / decay), Δt being
// the time since the previous answer. Read between answers, the estimate decays toward zero
// at the same rate, so a server once slow and then left alone is tried again.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>

namespace sluice::p2c {

class peak_ewma {
public:
    using nanos = std::int64_t;  // a point on a monotonic clock

    explicit peak_ewma(nanos decay) noexcept : decay_(static_cast<double>(std::max<nanos>(decay, 1))) {}

    // False until the first answer.
    bool measured() const noexcept { return stamp_.load(std::memory_order_relaxed) != never; }

    // Folds in one response time (microseconds) that ended at `now`. A reader racing with an
    // answer may see the new time with the old value: the estimate lags by one answer, no more.
    void observe(double rtt, nanos now) noexcept {
        const double w = past_weight(stamp_.exchange(now, std::memory_order_relaxed), now);
        double cost = cost_.load(std::memory_order_relaxed), next;
        do {
            const double decayed = cost * w;
            next = rtt > decayed ? rtt : decayed + rtt * (1.0 - w);
        } while (!cost_.compare_exchange_weak(cost, next, std::memory_order_relaxed));
    }

    // The estimate at `now`, in microseconds: 0 before the first answer.
    double cost(nanos now) const noexcept {
        return cost_.load(std::memory_order_relaxed) * past_weight(stamp_.load(std::memory_order_relaxed), now);
    }

private:
    static constexpr nanos never = std::numeric_limits<nanos>::min();

    // The weight the value at `then` keeps at `now`: 1 at once, 1/e after `decay`, 0 when
    // there was no value.
    double past_weight(nanos then, nanos now) const noexcept {
        if (then == never) return 0.0;
        return std::exp(-static_cast<double>(std::max<nanos>(now - then, 0)) / decay_);
    }

    double decay_;  // nanoseconds
    std::atomic<double> cost_{0.0};
    std::atomic<nanos> stamp_{never};
};

}  // namespace sluice::p2c
