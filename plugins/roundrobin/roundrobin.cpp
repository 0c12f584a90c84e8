// roundrobin: smooth weighted round robin over the healthy servers of a service.
#include <algorithm>
#include <atomic>
#include <memory>
#include <string_view>
#include <vector>

#include "schedule.hpp"
#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/declare.hpp"

namespace sluice::roundrobin {
namespace {

class rr_picker {
public:
    explicit rr_picker(const sdk::server_set& set) : order_(smooth_schedule(set.servers)) {}

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
    std::vector<std::uint32_t> order_;
    std::atomic<std::uint64_t> next_{0};
};

class rr_balancer {
public:
    static std::unique_ptr<rr_balancer> create(sdk::host&, std::string_view, std::string_view config,
                                               sdk::error_sink& errors) {
        // No options: every key is reported as unknown.
        if (!sdk::config_reader(config, errors).finish()) return nullptr;
        return std::make_unique<rr_balancer>();
    }

    std::unique_ptr<rr_picker> create_picker(const sdk::server_set& servers, sdk::error_sink&) {
        return std::make_unique<rr_picker>(servers);
    }
};

}  // namespace
}  // namespace sluice::roundrobin

SLUICE_DECLARE_BALANCER(sluice::roundrobin::rr_balancer, "roundrobin", "1.0.0",
                        "Smooth weighted round robin over healthy servers (the default strategy)", "")
