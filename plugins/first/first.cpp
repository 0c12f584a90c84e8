// first: the first server in configured order that the host accepts (active/standby
// failover: the others take traffic only while the ones before them are down).
#include <cstdint>
#include <memory>
#include <string_view>

#include "sluice/sdk/declare.hpp"
#include "sluice/sdk/optionless_balancer.hpp"

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

}  // namespace
}  // namespace sluice::first

SLUICE_DECLARE_BALANCER(sluice::sdk::optionless_balancer<sluice::first::first_picker>, "first", "1.0.0",
                        "The first healthy server in configured order (active/standby failover)", "")
