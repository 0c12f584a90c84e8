// leastconn: each request to the server with the fewest requests in flight for its weight.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/declare.hpp"

namespace sluice::leastconn {
namespace {

// pick and on_attempt run on every worker at once: the counts are relaxed atomics, nothing
// is locked or allocated after creation. Two workers picking at the same instant may both
// see the same server as least loaded; the next picks see both requests.
class lc_picker {
public:
    explicit lc_picker(const sdk::server_set& set) : weights_(weights_of(set)), in_flight_(set.servers.size()) {}

    std::int32_t pick(const sdk::request&, const sdk::server_filter& filter) {
        const std::size_t n = weights_.size();
        // The least load for its weight among the servers the host accepts, and the summed
        // weight of the servers tied at it.
        std::int32_t least = -1;
        std::uint64_t least_load = 0, tied_weight = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t load = in_flight_[i].load(std::memory_order_relaxed);
            if (least >= 0 && below(least_load, static_cast<std::size_t>(least), load, i)) continue;
            if (!filter.accept(static_cast<std::int32_t>(i))) continue;
            if (least >= 0 && !below(load, i, least_load, static_cast<std::size_t>(least))) {
                tied_weight += weights_[i];
                continue;
            }
            least = static_cast<std::int32_t>(i);
            least_load = load;
            tied_weight = weights_[i];
        }
        if (least < 0) return -1;
        // Ties (every server idle, at low load, is one) go round robin by weight: a turn
        // counter walks the tied servers' weights, never always the first of them.
        std::uint64_t turn = next_.fetch_add(1, std::memory_order_relaxed) % tied_weight;
        std::int32_t chosen = least;
        for (std::size_t i = static_cast<std::size_t>(least); i < n; ++i) {
            const std::uint64_t load = in_flight_[i].load(std::memory_order_relaxed);
            if (below(load, i, least_load, static_cast<std::size_t>(least)) ||
                below(least_load, static_cast<std::size_t>(least), load, i))
                continue;  // not tied (or no longer: another worker picked meanwhile)
            if (!filter.accept(static_cast<std::int32_t>(i))) continue;  // refused: not among the tied
            if (turn < weights_[i]) {
                chosen = static_cast<std::int32_t>(i);
                break;
            }
            turn -= weights_[i];
        }
        in_flight_[static_cast<std::size_t>(chosen)].fetch_add(1, std::memory_order_relaxed);
        return chosen;
    }

    // Called once for each attempt on a server pick returned, when it ends.
    void on_attempt(const sdk::request&, const sdk::attempt& a) {
        if (a.server < 0 || static_cast<std::size_t>(a.server) >= in_flight_.size()) return;
        in_flight_[static_cast<std::size_t>(a.server)].fetch_sub(1, std::memory_order_relaxed);
    }

private:
    // Load `a` on server i is below load `b` on server j, for their weights: a/wi < b/wj.
    bool below(std::uint64_t a, std::size_t i, std::uint64_t b, std::size_t j) const noexcept {
        return a * weights_[j] < b * weights_[i];
    }

    static std::vector<std::uint64_t> weights_of(const sdk::server_set& set) {
        std::vector<std::uint64_t> out;
        for (const auto& s : set.servers) out.push_back(std::max<std::uint32_t>(1, s.weight));
        return out;
    }

    std::vector<std::uint64_t> weights_;
    std::vector<std::atomic<std::uint32_t>> in_flight_;
    std::atomic<std::uint64_t> next_{0};
};

class lc_balancer {
public:
    static std::unique_ptr<lc_balancer> create(sdk::host&, std::string_view, std::string_view config,
                                               sdk::error_sink& errors) {
        // No options: every key is reported as unknown.
        if (!sdk::config_reader(config, errors).finish()) return nullptr;
        return std::make_unique<lc_balancer>();
    }

    std::unique_ptr<lc_picker> create_picker(const sdk::server_set& servers, sdk::error_sink&) {
        return std::make_unique<lc_picker>(servers);
    }
};

}  // namespace
}  // namespace sluice::leastconn

SLUICE_DECLARE_BALANCER(sluice::leastconn::lc_balancer, "leastconn", "1.0.0",
                        "The server with the fewest requests in flight for its weight; ties by weighted round robin",
                        "")
