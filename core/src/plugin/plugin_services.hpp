// What the host offers plugin objects besides HTTP: logging, fault reports and metrics,
// behind abi.h's sluice_host link (one per plugin object, naming its plugin, kind and
// instance). Thread-safe; the request path takes no lock unless a plugin faults.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "sluice/abi.h"

namespace sluice::plugin {

class plugin_services;

}  // namespace sluice::plugin

// abi.h's opaque link between one plugin object and the host. Lives as long as the object.
struct sluice_host {
    sluice::plugin::plugin_services* services;
    std::string plugin;    // "stripprefix"
    std::string kind;      // "balancer" | "middleware" | "provider"
    std::string instance;  // "strip-api@file"
    std::vector<std::shared_ptr<sluice_metric>> metrics;  // registered by this object
};

// abi.h's plugin-owned metric: one series, sluice_plugin_<name>{plugin, instance}.
struct sluice_metric {
    enum class type { counter, gauge };
    type kind;
    std::string name;  // as exported: sluice_plugin_<name>[_total]
    std::string help;
    std::string plugin;
    std::string instance;
    std::atomic<std::int64_t> value{0};
};

namespace sluice::plugin {

// Faults of plugin hooks, counted per plugin, kind, instance and hook. Faults are rare (a
// plugin bug), so a mutex is fine.
class fault_counter {
public:
    using key = std::tuple<std::string, std::string, std::string, std::string>;  // plugin, kind, instance, hook

    // Counts the fault; returns true when it should be logged: the first of a burst, or the
    // first after `quiet` without logging (then `suppressed` holds how many were not logged).
    bool count(key k, std::chrono::steady_clock::time_point now, std::uint64_t& suppressed);
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

class plugin_services {
public:
    // A link for one plugin object, before its create function is called.
    std::unique_ptr<sluice_host> link(std::string_view plugin, std::string_view kind, std::string_view instance);

    void report_fault(const sluice_host& host, std::string_view hook, std::string_view what) noexcept;
    const fault_counter& faults() const noexcept { return faults_; }

    // Registers a metric for `host`'s object. The same plugin, instance and name give the
    // same series (a reload re-creates objects; their counters go on); another type under
    // that name, or a name outside [a-z0-9_], gives nullptr and a log line. A series is
    // dropped when no object holds it any more.
    sluice_metric* metric(sluice_host& host, sluice_metric::type type, std::string_view name, std::string_view help);
    // Every live series, sorted by name, plugin and instance, for /metrics.
    std::vector<std::shared_ptr<const sluice_metric>> metrics() const;

private:
    fault_counter faults_;
    mutable std::mutex metrics_mutex_;
    // By (name, plugin, instance); weak: the objects' links own the series. Dead entries
    // are dropped when read.
    mutable std::map<std::tuple<std::string, std::string, std::string>, std::weak_ptr<sluice_metric>> metrics_;
};

// "balancer", "middleware", "provider".
std::string_view kind_name(std::uint32_t kind) noexcept;

}  // namespace sluice::plugin
