// first: the first server in configured order that the host accepts (active/standby
// failover: the others take traffic only while the ones before them are down).
#include <cstdint>
#include <memory>
#include <string_view>

#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/declare.hpp"

namespace sluice::first {
namespace {

class first_picker {
public:
    explicit first_picker(const sdk::server_set& set) : count_(static_cast<std::int32_t>(set.servers.size())) {}

    std::int32_t pick(const sdk::request&, const sdk::server_filter& filter) const {
        for (std::int32_t i = 0; i < count_; ++i)
            if (filter.accept(i)) return i;
        return -1;
    }

private:
    std::int32_t count_;
};

class first_balancer {
public:
    static std::unique_ptr<first_balancer> create(sdk::host&, std::string_view, std::string_view config,
                                                  sdk::error_sink& errors) {
        // No options: every key is reported as unknown.
        if (!sdk::config_reader(config, errors).finish()) return nullptr;
        return std::make_unique<first_balancer>();
    }

    std::unique_ptr<first_picker> create_picker(const sdk::server_set& servers, sdk::error_sink&) {
        return std::make_unique<first_picker>(servers);
    }
};

}  // namespace
}  // namespace sluice::first

SLUICE_DECLARE_BALANCER(sluice::first::first_balancer, "first", "1.0.0",
                        "The first healthy server in configured order (active/standby failover)", "")
