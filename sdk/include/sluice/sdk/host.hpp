// What the host offers every plugin object: logging, configuration errors and fault reports.
#pragma once

#include <string_view>

namespace sluice::sdk {

enum class log_level : int { trace = 0, debug = 1, info = 2, warn = 3, error = 4 };

// A hook of a plugin object failed: it threw (caught by the SDK's adapters, see declare.hpp).
// Every view is valid only during the report.
struct fault_report {
    std::string_view plugin;    // the plugin's name ("stripprefix")
    std::string_view kind;      // "balancer" | "middleware" | "provider"
    std::string_view instance;  // the configured object ("strip-api@file")
    std::string_view hook;      // "on_request", "pick", "start", ...
    std::string_view what;      // the exception's message
};

// Implemented by the host. Outlives every object a plugin creates; callable from any thread.
// Plugins log through it rather than through a logging library of their own, so one
// configuration (level, format, destination) governs everything the process prints.
class host {
public:
    virtual void log(log_level level, std::string_view message) noexcept = 0;
    virtual bool log_enabled(log_level level) const noexcept = 0;
    // Counts the fault and logs it (once per burst per plugin, instance and hook). The
    // request that met it is answered by the host (500, or another server for a balancer).
    virtual void report_fault(const fault_report& fault) noexcept = 0;

protected:
    ~host() = default;
};

// Receives configuration errors during a factory call. `key` is the path inside the
// plugin's own table ("prefixes[1]", "cookie.name"), empty for the table as a whole. Valid
// only during the factory call that received it. sdk::config_reader reports through it.
class error_sink {
public:
    virtual void error(std::string_view key, std::string_view message) noexcept = 0;

protected:
    ~error_sink() = default;
};

}  // namespace sluice::sdk
