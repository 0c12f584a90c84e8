// leastconn: each request to the server with the fewest requests in flight for its weight.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "sluice/sdk/declare.hpp"
#include "sluice/sdk/optionless_balancer.hpp"
#include "sluice/sdk/least_scored.hpp"

namespace sluice::leastconn {
namespace {

// pick and on_attempt run on every worker at once: the counts are relaxed atomics, nothing
// is locked or allocated after creation. Two workers picking at the same instant may both
// see the same server as least loaded; the next picks see both requests.
class lc_picker {
public:
    explicit lc_picker(const sdk::server_set& set) : weights_(weights_of(set)), in_flight_(set.servers.size()) {}

    std::int32_t pick(const sdk::request&, const sdk::server_filter& filter) {
        // Ties (every server idle, at low load, is one) go round robin by weight.
        const std::int32_t chosen =
            sdk::least_scored(weights_, filter, next_.fetch_add(1, std::memory_order_relaxed), [&](std::size_t i) {
                return static_cast<double>(in_flight_[i].load(std::memory_order_relaxed)) / weights_[i];
            });
        if (chosen >= 0) in_flight_[static_cast<std::size_t>(chosen)].fetch_add(1, std::memory_order_relaxed);
        return chosen;
    }

    // Called once for each attempt on a server pick returned, when it ends.
    void on_attempt(const sdk::request&, const sdk::attempt& a) {
        if (a.server < 0 || static_cast<std::size_t>(a.server) >= in_flight_.size()) return;
        sdk::count_out(in_flight_[static_cast<std::size_t>(a.server)]);
    }

private:
    static std::vector<std::uint32_t> weights_of(const sdk::server_set& set) {
        std::vector<std::uint32_t> out;
        for (const auto& s : set.servers) out.push_back(std::max<std::uint32_t>(1, s.weight));
        return out;
    }

    std::vector<std::uint32_t> weights_;
    std::vector<std::atomic<std::uint32_t>> in_flight_;
    std::atomic<std::uint64_t> next_{0};
};

}  // namespace
}  // namespace sluice::leastconn

SLUICE_DECLARE_BALANCER(sluice::sdk::optionless_balancer<sluice::leastconn::lc_picker>, "leastconn", "1.0.0",
                        "The server with the fewest requests in flight for its weight; ties by weighted round robin",
                        "")
