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
    explicit rr_picker(const sdk::server_set& set) : set_(set), order_(smooth_schedule(set.servers)) {}

    std::int32_t pick(const sdk::request&, std::span<const std::int32_t> exclude) {
        if (order_.empty()) return -1;
        // Skip down or excluded servers by taking further turns, so their share spreads
        // over the others in schedule order; bounded by one lap.
        for (std::size_t tries = 0; tries < order_.size(); ++tries) {
            const std::uint32_t i = order_[next_.fetch_add(1, std::memory_order_relaxed) % order_.size()];
            if (usable(i, exclude)) return static_cast<std::int32_t>(i);
        }
        return sdk::first_available(set_, 0, exclude);
    }

private:
    bool usable(std::uint32_t i, std::span<const std::int32_t> exclude) const noexcept {
        if (!set_.up[i].load(std::memory_order_relaxed)) return false;
        return std::find(exclude.begin(), exclude.end(), static_cast<std::int32_t>(i)) == exclude.end();
    }

    sdk::server_set set_;
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
