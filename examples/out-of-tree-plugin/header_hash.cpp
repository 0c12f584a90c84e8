// headerhash: a balancer strategy built against the installed SDK alone. Requests with the
// same value of a header (X-Tenant unless configured) go to the same server: rendezvous
// hashing (each server scores the key; the highest score the host accepts wins), so a
// server that goes away or comes back moves only its own keys. Requests without the header
// go round robin.
#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/declare.hpp"

namespace headerhash {
namespace {

namespace sdk = sluice::sdk;

// The standard library's hash of two 64-bit values side by side.
std::uint64_t hash_pair(std::uint64_t a, std::uint64_t b) noexcept {
    const std::uint64_t both[2] = {a, b};
    return std::hash<std::string_view>{}(std::string_view(reinterpret_cast<const char*>(both), sizeof both));
}

// Built per server set; pick runs on every worker at once: read-only but for the counter.
class picker {
public:
    picker(const sdk::server_set& set, const std::string& header) : header_(header) {
        for (const auto& s : set.servers) {
            url_hashes_.push_back(std::hash<std::string_view>{}(s.url));
            weights_.push_back(s.weight == 0 ? 1 : s.weight);
        }
    }

    std::int32_t pick(const sdk::request& req, const sdk::server_filter& filter) {
        const std::size_t n = weights_.size();
        const std::string_view key = req.header(header_);
        if (key.empty()) {
            for (std::size_t k = 0; k < n; ++k) {
                const auto i = static_cast<std::int32_t>(next_.fetch_add(1, std::memory_order_relaxed) % n);
                if (filter.accept(i)) return i;
            }
            return -1;
        }
        // The servers in the key's order of preference, best first, until the host takes one:
        // each round finds the best score below the last one refused.
        const std::uint64_t key_hash = std::hash<std::string_view>{}(key);
        double below = std::numeric_limits<double>::infinity();
        for (std::size_t round = 0; round < n; ++round) {
            std::int32_t best = -1;
            double best_score = 0;
            for (std::size_t i = 0; i < n; ++i) {
                const double s = score(key_hash, i);
                if (s < below && (best < 0 || s > best_score)) best = static_cast<std::int32_t>(i), best_score = s;
            }
            if (best < 0) return -1;
            if (filter.accept(best)) return best;
            below = best_score;
        }
        return -1;
    }

private:
    // weight / -ln(u), u uniform in (0, 1) from the key and the server: shares follow weights.
    double score(std::uint64_t key_hash, std::size_t i) const noexcept {
        const std::uint64_t h = hash_pair(key_hash, url_hashes_[i]);
        const double u = (static_cast<double>(h >> 11) + 0.5) * 0x1.0p-53;
        return weights_[i] / -std::log(u);
    }

    const std::string& header_;
    std::vector<std::uint64_t> url_hashes_;
    std::vector<double> weights_;
    std::atomic<std::uint64_t> next_{0};
};

class balancer {
public:
    static std::unique_ptr<balancer> create(sdk::host&, std::string_view, std::string_view config,
                                            sdk::error_sink& errors) {
        sdk::config_reader options(config, errors);
        auto b = std::make_unique<balancer>();
        b->header_ = options.string_or("header", "X-Tenant");
        if (b->header_.empty()) options.error("header", "expected a header name");
        if (!options.finish()) return nullptr;
        return b;
    }

    std::unique_ptr<picker> create_picker(const sdk::server_set& set, sdk::error_sink&) {
        return std::make_unique<picker>(set, header_);
    }

private:
    std::string header_;
};

}  // namespace
}  // namespace headerhash

SLUICE_DECLARE_BALANCER(headerhash::balancer, "headerhash", "1.0.0",
                        "Requests with the same value of a header to the same server (rendezvous hashing)",
                        "header = \"X-Tenant\"\n")
