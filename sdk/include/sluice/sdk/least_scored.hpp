// The pick of a strategy that scores servers (leastconn: requests in flight for the weight;
// leasttime: response time and requests in flight for the weight): the server the host
// accepts with the least score, ties going round robin by weight.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "sluice/sdk/balancer.hpp"

namespace sluice::sdk {

// Of the servers `filter` accepts, the one with the least `score(i)` (a double, computed
// from what the picker keeps, and asked for each server at most twice); -1 when none is
// accepted. Servers with equal scores share the turns: `turn` (a counter the picker
// advances once per pick) walks their weights, so that, for instance, idle servers of a
// leastconn set take turns by weight instead of the first always winning. Scores read from
// atomics another worker updates meanwhile may change between the two passes: the server
// found least in the first then stands.
template <class Score>
std::int32_t least_scored(std::span<const std::uint32_t> weights, const server_filter& filter, std::uint64_t turn,
                          Score&& score) {
    const std::size_t n = weights.size();
    std::int32_t least = -1;
    double least_score = 0;
    std::uint64_t tied_weight = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double s = score(i);
        if (least >= 0 && s > least_score) continue;
        if (!filter.accept(static_cast<std::int32_t>(i))) continue;
        if (least >= 0 && s == least_score) {
            tied_weight += weights[i];
            continue;
        }
        least = static_cast<std::int32_t>(i);
        least_score = s;
        tied_weight = weights[i];
    }
    if (least < 0 || tied_weight == weights[static_cast<std::size_t>(least)]) return least;
    turn %= tied_weight;
    for (std::size_t i = static_cast<std::size_t>(least); i < n; ++i) {
        if (score(i) != least_score || !filter.accept(static_cast<std::int32_t>(i))) continue;
        if (turn < weights[i]) return static_cast<std::int32_t>(i);
        turn -= weights[i];
    }
    return least;
}

// Counts one request in flight out (in on_attempt), never below zero: an on_attempt without
// its pick (a wrapper forwarding one it should not) must not wrap the count around and make
// the server look busiest forever.
inline void count_out(std::atomic<std::uint32_t>& in_flight) noexcept {
    std::uint32_t n = in_flight.load(std::memory_order_relaxed);
    while (n > 0 && !in_flight.compare_exchange_weak(n, n - 1, std::memory_order_relaxed)) {
    }
}

}  // namespace sluice::sdk
