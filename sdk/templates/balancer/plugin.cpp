// @NAME@: a balancer strategy. Each request goes to a server drawn at random in proportion
// to the servers' weights; when the host refuses the drawn one (down, ejected, or already
// failed for this request), the next ones in order are proposed.
//
//     [http.services.api.loadBalancer]
//     strategy = "@NAME@"
//     [http.services.api.loadBalancer.@NAME@]
//     seed = 42          # optional: the same seed draws the same sequence
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string_view>
#include <vector>

#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/declare.hpp"

namespace @IDENT@ {

namespace sdk = sluice::sdk;

// splitmix64: a stateless mix of a counter, so that every worker draws from one atomic
// counter without a lock.
inline std::uint64_t mix(std::uint64_t x) noexcept {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// One server set's picker, built when the set changes. pick runs on every worker at once:
// nothing in it but the draw counter changes after construction, and it never allocates.
class picker {
public:
    picker(const sdk::server_set& set, std::uint64_t seed) : seed_(seed) {
        std::uint64_t total = 0;
        for (const auto& server : set.servers) {
            total += server.weight;
            bounds_.push_back(total);
        }
    }

    std::int32_t pick(const sdk::request&, const sdk::server_filter& filter) {
        if (bounds_.empty()) return -1;
        const std::uint64_t draw = mix(seed_ + draws_.fetch_add(1, std::memory_order_relaxed)) % bounds_.back();
        const auto drawn = static_cast<std::size_t>(std::upper_bound(bounds_.begin(), bounds_.end(), draw) -
                                                    bounds_.begin());
        for (std::size_t i = 0; i < bounds_.size(); ++i) {
            const auto server = static_cast<std::int32_t>((drawn + i) % bounds_.size());
            if (filter.accept(server)) return server;
        }
        return -1;  // the host accepts none: it answers 503
    }

private:
    std::vector<std::uint64_t> bounds_;  // cumulative weights, one per server
    std::uint64_t seed_;
    std::atomic<std::uint64_t> draws_{0};
};

// One configured balancer (a service's loadBalancer.@NAME@ table), created on the control
// thread when the configuration is loaded.
class balancer {
public:
    static std::unique_ptr<balancer> create(sdk::host&, std::string_view, std::string_view config,
                                            sdk::error_sink& errors) {
        sdk::config_reader options(config, errors);
        const auto seed = options.integer("seed", {0, INT64_MAX});
        if (!options.finish()) return nullptr;  // errors (and unknown keys) are reported with their keys
        return std::make_unique<balancer>(seed ? static_cast<std::uint64_t>(*seed) : std::random_device{}());
    }

    explicit balancer(std::uint64_t seed) : seed_(seed) {}

    std::unique_ptr<picker> create_picker(const sdk::server_set& servers, sdk::error_sink&) {
        return std::make_unique<picker>(servers, seed_);
    }

private:
    std::uint64_t seed_;
};

}  // namespace @IDENT@

SLUICE_DECLARE_BALANCER(@IDENT@::balancer, "@NAME@", "0.1.0",
                        "Picks a server at random, in proportion to the servers' weights", "seed = 42\n")
