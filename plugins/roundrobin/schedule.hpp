// Smooth weighted round robin, precomputed: the order nginx's algorithm produces, built
// once per server set so that picking is one relaxed atomic increment.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

#include "sluice/sdk/balancer.hpp"

namespace sluice::roundrobin {

// Longest schedule kept; larger weight sums are scaled down proportionally.
inline constexpr std::uint64_t max_schedule = 1u << 16;

inline std::vector<std::uint32_t> smooth_schedule(std::span<const sdk::server_info> servers) {
    std::vector<std::uint64_t> weights;
    for (const auto& s : servers) weights.push_back(std::max<std::uint32_t>(1, s.weight));
    std::uint64_t g = 0;
    for (auto w : weights) g = std::gcd(g, w);
    std::uint64_t total = 0;
    for (auto& w : weights) total += (w /= std::max<std::uint64_t>(g, 1));
    if (total > max_schedule) {
        const std::uint64_t old_total = total;
        total = 0;
        for (auto& w : weights) total += (w = std::max<std::uint64_t>(1, w * max_schedule / old_total));
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

}  // namespace sluice::roundrobin
