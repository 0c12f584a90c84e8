// roundrobin: smooth weighted round robin over the healthy servers of a service.
#include <algorithm>
#include <atomic>
#include <memory>
#include <string_view>
#include <vector>

#include "sluice/sdk/declare.hpp"
#include "sluice/sdk/optionless_balancer.hpp"
#include "sluice/sdk/smooth_schedule.hpp"

namespace sluice::roundrobin {
namespace {

class rr_picker {
public:
    explicit rr_picker(const sdk::server_set& set) : order_(sdk::smooth_schedule(weights_of(set))) {}

    std::int32_t pick(const sdk::request&, const sdk::server_filter& filter) {
        // A refused server's turn passes to the next in schedule order, so its share spreads
        // over the others; one lap holds every server, so a lap without one accepted means
        // none is.
        for (std::size_t tries = 0; tries < order_.size(); ++tries) {
            const std::uint32_t i = order_[next_.fetch_add(1, std::memory_order_relaxed) % order_.size()];
            if (filter.accept(static_cast<std::int32_t>(i))) return static_cast<std::int32_t>(i);
        }
        return -1;
    }

private:
    static std::vector<std::uint64_t> weights_of(const sdk::server_set& set) {
        std::vector<std::uint64_t> weights;
        for (const auto& s : set.servers) weights.push_back(s.weight);
        return weights;
    }

    std::vector<std::uint32_t> order_;
    std::atomic<std::uint64_t> next_{0};
};

}  // namespace
}  // namespace sluice::roundrobin

SLUICE_DECLARE_BALANCER(sluice::sdk::optionless_balancer<sluice::roundrobin::rr_picker>, "roundrobin", "1.0.0",
                        "Smooth weighted round robin over healthy servers (the default strategy)", "")
