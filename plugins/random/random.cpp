// random: each request to a server drawn at random, in proportion to its weight.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string_view>
#include <vector>

#include "sluice/sdk/declare.hpp"
#include "sluice/sdk/optionless_balancer.hpp"

namespace sluice::random {
namespace {

// One generator per thread, seeded from the system: picks on different workers share
// nothing, so there is no lock and no contended atomic.
std::uint64_t next_random() noexcept {
    thread_local std::mt19937_64 generator{std::random_device{}()};
    return generator();
}

class random_picker {
public:
    explicit random_picker(const sdk::server_set& set) {
        std::uint64_t total = 0;
        for (const auto& s : set.servers) ends_.push_back(total += std::max<std::uint32_t>(1, s.weight));
    }

    std::int32_t pick(const sdk::request&, const sdk::server_filter& filter) const {
        if (ends_.empty()) return -1;
        // A refused server's draw is drawn again: the servers accepted keep their relative
        // shares. A few draws cover a mostly healthy set; after them, the first accepted
        // from a random start, so that a set mostly down still ends quickly.
        for (int draw = 0; draw < 3; ++draw) {
            const std::int32_t i = server_at(next_random() % ends_.back());
            if (filter.accept(i)) return i;
        }
        const std::size_t n = ends_.size(), start = next_random() % n;
        for (std::size_t k = 0; k < n; ++k)
            if (filter.accept(static_cast<std::int32_t>((start + k) % n))) return static_cast<std::int32_t>((start + k) % n);
        return -1;
    }

private:
    // The server whose share of [0, total) holds `point`.
    std::int32_t server_at(std::uint64_t point) const noexcept {
        return static_cast<std::int32_t>(std::upper_bound(ends_.begin(), ends_.end(), point) - ends_.begin());
    }

    std::vector<std::uint64_t> ends_;  // running sums of the weights
};

}  // namespace
}  // namespace sluice::random

SLUICE_DECLARE_BALANCER(sluice::sdk::optionless_balancer<sluice::random::random_picker>, "random", "1.0.0",
                        "Each request to a server drawn at random in proportion to its weight", "")
