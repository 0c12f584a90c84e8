// p2c: the power of two choices. Each request draws two servers at random and goes to the
// one with the lower load, where load = peak-EWMA response time x (1 + requests in flight)
// / weight (Finagle's and Linkerd's balancer).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

#include "peak_ewma.hpp"
#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/configured_balancer.hpp"
#include "sluice/sdk/declare.hpp"
#include "sluice/sdk/least_scored.hpp"

namespace sluice::p2c {
namespace {

// One generator per thread, seeded from the system: picks on different workers share
// nothing, so there is no lock and no contended atomic.
std::uint64_t next_random() noexcept {
    thread_local std::mt19937_64 generator{std::random_device{}()};
    return generator();
}

peak_ewma::nanos now() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// The load of a server with requests in flight and no answer yet (Finagle's penalty, in
// microseconds): it takes no second request before its first answer tells what it costs.
constexpr double unmeasured_penalty = 1e12;

// What a refused or reset attempt counts as, in microseconds (at least its own time): a
// server that fails is avoided at once, and tried again as the estimate decays, whether or
// not health checks are on.
constexpr double failure_sample = 1e6;

struct settings {
    peak_ewma::nanos decay = 0;  // how fast an estimate forgets

    static settings read(sdk::config_reader& options) {
        const auto decay = options.duration_or("decay", std::chrono::seconds(10));
        if (decay <= std::chrono::milliseconds(0)) options.error("decay", "expected a duration above zero");
        return {std::chrono::duration_cast<std::chrono::nanoseconds>(decay).count()};
    }
};

// pick and on_attempt run on every worker at once: relaxed atomics, nothing locked or
// allocated after creation.
class p2c_picker {
public:
    p2c_picker(const sdk::server_set& set, const settings& s) : n_(set.servers.size()) {
        for (const auto& server : set.servers) weights_.push_back(std::max<std::uint32_t>(1, server.weight));
        stats_ = std::make_unique<server_stats[]>(n_);
        for (std::size_t i = 0; i < n_; ++i) stats_[i].latency.emplace(s.decay);
    }

    std::int32_t pick(const sdk::request&, const sdk::server_filter& filter) {
        if (n_ < 2) return take(n_ == 1 && filter.accept(0) ? 0 : -1);
        const auto accept = [&](std::size_t i) { return filter.accept(static_cast<std::int32_t>(i)); };
        // Two distinct servers at random; a refused one is replaced by another draw, twice at
        // most: in a set mostly down the draws would seldom find two.
        std::size_t a = next_random() % n_, b = other_than(a);
        bool ok_a = accept(a), ok_b = accept(b);
        for (int redraw = 0; redraw < 2 && !(ok_a && ok_b); ++redraw) {
            if (!ok_a && !ok_b) {
                a = next_random() % n_;
                ok_a = accept(a);
            }
            if (!ok_b) ok_b = accept(b = other_than(a));
            else ok_a = accept(a = other_than(b));
        }
        const peak_ewma::nanos t = now();
        if (ok_a && ok_b) return take(static_cast<std::int32_t>(load(b, t) < load(a, t) ? b : a));
        // Most servers refused: the least loaded of those the host accepts.
        return take(sdk::least_scored(weights_, filter, next_random(), [&](std::size_t i) { return load(i, t); }));
    }

    // Called once for each attempt on a server pick returned, when it ends. An answer's time
    // to its head is a sample, and so is a timeout's (the server was at least that slow); a
    // refused or reset attempt counts as an answer of a second at least.
    void on_attempt(const sdk::request&, const sdk::attempt& a) {
        if (a.server < 0 || static_cast<std::size_t>(a.server) >= n_) return;
        auto& s = stats_[static_cast<std::size_t>(a.server)];
        sdk::count_out(s.in_flight);
        const double took = static_cast<double>(std::max<std::int64_t>(a.latency.count(), 0));
        const bool answered = a.outcome == sdk::attempt_outcome::response || a.outcome == sdk::attempt_outcome::timeout;
        s.latency->observe(answered ? took : std::max(took, failure_sample), now());
    }

private:
    struct server_stats {
        std::atomic<std::uint32_t> in_flight{0};
        std::optional<peak_ewma> latency;  // microseconds
    };

    // A server drawn at random among all but `i` (n_ >= 2).
    std::size_t other_than(std::size_t i) const noexcept {
        const std::size_t j = next_random() % (n_ - 1);
        return j >= i ? j + 1 : j;
    }

    // response time x (1 + in flight) / weight. A server with no answer yet costs nothing
    // while idle (it is tried at once) and the penalty while a request is out on it.
    double load(std::size_t i, peak_ewma::nanos t) const noexcept {
        const auto& s = stats_[i];
        const double in_flight = s.in_flight.load(std::memory_order_relaxed);
        if (!s.latency->measured()) return in_flight == 0 ? 0.0 : unmeasured_penalty + in_flight;
        // At least a microsecond: answers too fast to measure still cost their requests.
        return std::max(s.latency->cost(t), 1.0) * (1.0 + in_flight) / weights_[i];
    }

    std::int32_t take(std::int32_t server) noexcept {
        if (server >= 0) stats_[static_cast<std::size_t>(server)].in_flight.fetch_add(1, std::memory_order_relaxed);
        return server;
    }

    std::size_t n_;
    std::vector<std::uint32_t> weights_;
    std::unique_ptr<server_stats[]> stats_;
};

using p2c_balancer = sdk::configured_balancer<settings, p2c_picker>;

}  // namespace
}  // namespace sluice::p2c

SLUICE_DECLARE_BALANCER(sluice::p2c::p2c_balancer, "p2c", "1.0.0",
                        "The less loaded of two servers drawn at random, by peak-EWMA response time and requests in "
                        "flight per weight",
                        "decay = \"10s\"\n")
