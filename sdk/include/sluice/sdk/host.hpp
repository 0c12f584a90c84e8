// What the host offers every plugin object: logging and configuration errors.
#pragma once

#include <string_view>

namespace sluice::sdk {

enum class log_level : int { trace = 0, debug = 1, info = 2, warn = 3, error = 4 };

// Implemented by the host. Outlives every object a plugin creates; callable from any thread.
// Plugins log through it rather than through a logging library of their own, so one
// configuration (level, format, destination) governs everything the process prints.
class host {
public:
    virtual void log(log_level level, std::string_view message) noexcept = 0;
    virtual bool log_enabled(log_level level) const noexcept = 0;

protected:
    ~host() = default;
};

// Receives configuration errors during a factory call. `key` is the path inside the
// plugin's own table ("prefixes[1]"), empty for the table as a whole. Valid only during
// the factory call that received it.
class error_sink {
public:
    virtual void error(std::string_view key, std::string_view message) noexcept = 0;

protected:
    ~error_sink() = default;
};

}  // namespace sluice::sdk
