// Smooth weighted round robin, precomputed: the order nginx's algorithm produces (each turn
// goes to the most owed, weights spread out rather than bunched: 3:1 gives a, a, b, a), built
// once per set so that a pick is one atomic increment. The roundrobin balancer orders its
// servers with it, the host its weighted services.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

namespace sluice::sdk {

// Longest schedule kept; larger weight sums are scaled down proportionally.
inline constexpr std::uint64_t max_smooth_schedule = 1u << 16;

// Indexes into `weights`, one turn per unit of weight (after dividing by their greatest
// common divisor; a weight of 0 counts as 1), in nginx's smooth order.
inline std::vector<std::uint32_t> smooth_schedule(std::span<const std::uint64_t> weights_in,
                                                  std::uint64_t max_turns = max_smooth_schedule) {
    std::vector<std::uint64_t> weights;
    for (auto w : weights_in) weights.push_back(std::max<std::uint64_t>(1, w));
    std::uint64_t g = 0;
    for (auto w : weights) g = std::gcd(g, w);
    std::uint64_t total = 0;
    for (auto& w : weights) total += (w /= std::max<std::uint64_t>(g, 1));
    if (total > max_turns) {
        const std::uint64_t old_total = total;
        total = 0;
        for (auto& w : weights) total += (w = std::max<std::uint64_t>(1, w * max_turns / old_total));
    }
    std::vector<std::uint32_t> order;
    order.reserve(total);
    std::vector<std::int64_t> current(weights.size(), 0);
    for (std::uint64_t step = 0; step < total; ++step) {
        std::size_t best = 0;
        for (std::size_t i = 0; i < weights.size(); ++i) {
            current[i] += static_cast<std::int64_t>(weights[i]);
            if (current[i] > current[best]) best = i;
        }
        current[best] -= static_cast<std::int64_t>(total);
        order.push_back(static_cast<std::uint32_t>(best));
    }
    return order;
}

}  // namespace sluice::sdk
