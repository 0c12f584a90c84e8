// leasttime: each request to the server with the lowest mean response time for the requests
// it has in flight and its weight (Traefik's leasttime).
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <string_view>
#include <vector>

#include "moving_average.hpp"
#include "sluice/sdk/declare.hpp"
#include "sluice/sdk/optionless_balancer.hpp"
#include "sluice/sdk/least_scored.hpp"

namespace sluice::leasttime {
namespace {

constexpr std::size_t window = 100;  // response times in a server's mean, as Traefik keeps

// pick and on_attempt run on every worker at once: relaxed atomics, nothing locked or
// allocated after creation.
class lt_picker {
public:
    explicit lt_picker(const sdk::server_set& set)
        : weights_(weights_of(set)), stats_(std::make_unique<server_stats[]>(set.servers.size())) {}

    std::int32_t pick(const sdk::request&, const sdk::server_filter& filter) {
        const std::size_t n = weights_.size();
        // Means in microseconds, at least 1 (an answer too fast to measure still costs). A
        // server with no response time yet counts as fast as the fastest known one (1 when
        // none is): it gets its share at once, not every request until its first answer.
        const auto mean_of = [&](std::size_t i) { return std::max(stats_[i].times.mean(), 1.0); };
        double fastest = std::numeric_limits<double>::max();
        for (std::size_t i = 0; i < n; ++i)
            if (!stats_[i].times.empty()) fastest = std::min(fastest, mean_of(i));
        if (fastest == std::numeric_limits<double>::max()) fastest = 1.0;
        // score = mean response time x (1 + requests in flight) / weight.
        const std::int32_t chosen =
            sdk::least_scored(weights_, filter, next_.fetch_add(1, std::memory_order_relaxed), [&](std::size_t i) {
                const auto& s = stats_[i];
                const double mean = s.times.empty() ? fastest : mean_of(i);
                return mean * (1.0 + s.in_flight.load(std::memory_order_relaxed)) / weights_[i];
            });
        if (chosen >= 0) stats_[static_cast<std::size_t>(chosen)].in_flight.fetch_add(1, std::memory_order_relaxed);
        return chosen;
    }

    // Called once for each attempt on a server pick returned, when it ends: a response's
    // time to its head is a sample; a failure is not one (passive health deals with it).
    void on_attempt(const sdk::request&, const sdk::attempt& a) {
        if (a.server < 0 || static_cast<std::size_t>(a.server) >= weights_.size()) return;
        auto& s = stats_[static_cast<std::size_t>(a.server)];
        sdk::count_out(s.in_flight);
        if (a.outcome == sdk::attempt_outcome::response) {
            const auto us = std::clamp<std::int64_t>(a.latency.count(), 0, std::numeric_limits<std::uint32_t>::max());
            s.times.add(static_cast<std::uint32_t>(us));
        }
    }

private:
    struct server_stats {
        std::atomic<std::uint32_t> in_flight{0};
        moving_average<window> times;  // microseconds
    };

    static std::vector<std::uint32_t> weights_of(const sdk::server_set& set) {
        std::vector<std::uint32_t> out;
        for (const auto& s : set.servers) out.push_back(std::max<std::uint32_t>(1, s.weight));
        return out;
    }

    std::vector<std::uint32_t> weights_;
    std::unique_ptr<server_stats[]> stats_;
    std::atomic<std::uint64_t> next_{0};
};

}  // namespace
}  // namespace sluice::leasttime

SLUICE_DECLARE_BALANCER(sluice::sdk::optionless_balancer<sluice::leasttime::lt_picker>, "leasttime", "1.0.0",
                        "The server with the lowest mean response time for its requests in flight and weight", "")
