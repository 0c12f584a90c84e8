// Process logging (spdlog on standard error) and the host object plugins log through.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "sluice/sdk/host.hpp"

namespace sluice::log {

// "trace" | "debug" | "info" | "warn" | "error".
void setup(std::string_view level);

// Faults of plugin hooks, counted per plugin, kind, instance and hook. Faults are rare (a
// plugin bug), so a mutex is fine; the request path never takes it otherwise.
class fault_counter {
public:
    using key = std::tuple<std::string, std::string, std::string, std::string>;  // plugin, kind, instance, hook

    // Counts the fault; returns true when it should be logged: the first of a burst, or the
    // first after `quiet` without logging (then `suppressed` holds how many were not logged).
    bool count(const sdk::fault_report& f, std::chrono::steady_clock::time_point now, std::uint64_t& suppressed);
    std::vector<std::pair<key, std::uint64_t>> totals() const;

    static constexpr std::chrono::seconds quiet{10};
    static constexpr std::size_t max_keys = 1000;  // past this, faults are counted under one key

private:
    struct entry {
        std::uint64_t total = 0;
        std::uint64_t unlogged = 0;
        std::chrono::steady_clock::time_point last_logged{};
    };
    mutable std::mutex mutex_;
    std::map<key, entry> entries_;
};

class plugin_host final : public sdk::host {
public:
    void log(sdk::log_level level, std::string_view message) noexcept override;
    bool log_enabled(sdk::log_level level) const noexcept override;
    void report_fault(const sdk::fault_report& fault) noexcept override;

    const fault_counter& faults() const noexcept { return faults_; }

private:
    fault_counter faults_;
};

}  // namespace sluice::log
