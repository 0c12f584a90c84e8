// What the host offers every plugin object: logging, metrics and configuration errors.
//
// These are views: small values holding the host's function table (sluice_host_api, see
// sluice/abi.h) and one opaque handle. They own nothing, are cheap to copy, and every call
// is one indirect call into the host. They never throw.
#pragma once

#include <cstdint>
#include <string_view>

#include "sluice/abi.h"

namespace sluice::sdk {

namespace detail {
inline sluice_str to_c(std::string_view s) noexcept { return {s.data(), s.size()}; }
inline std::string_view from_c(sluice_str s) noexcept { return s.size == 0 ? std::string_view() : std::string_view(s.data, s.size); }
}  // namespace detail

enum class log_level : std::uint32_t {
    trace = SLUICE_LOG_TRACE,
    debug = SLUICE_LOG_DEBUG,
    info = SLUICE_LOG_INFO,
    warn = SLUICE_LOG_WARN,
    error = SLUICE_LOG_ERROR,
};

// A plugin-owned counter, exported on /metrics as sluice_plugin_<name>_total{plugin,
// instance}. Registered with host::counter() in create(); add() from any thread. A counter
// the host refused (an invalid name, or one registered as a gauge: the host logged why) is
// null, and add() on it does nothing. Valid until the object that registered it is destroyed.
class counter {
public:
    counter() noexcept = default;
    counter(const sluice_host_api* api, sluice_metric* metric) noexcept : api_(api), metric_(metric) {}

    void add(std::int64_t delta = 1) const noexcept {
        if (metric_) api_->metric_add(metric_, delta);
    }
    explicit operator bool() const noexcept { return metric_ != nullptr; }

private:
    const sluice_host_api* api_ = nullptr;
    sluice_metric* metric_ = nullptr;
};

// A plugin-owned gauge, exported as sluice_plugin_<name>{plugin, instance}. As counter, but
// set() replaces the value and add() may go down.
class gauge {
public:
    gauge() noexcept = default;
    gauge(const sluice_host_api* api, sluice_metric* metric) noexcept : api_(api), metric_(metric) {}

    void set(std::int64_t value) const noexcept {
        if (metric_) api_->metric_set(metric_, value);
    }
    void add(std::int64_t delta) const noexcept {
        if (metric_) api_->metric_add(metric_, delta);
    }
    explicit operator bool() const noexcept { return metric_ != nullptr; }

private:
    const sluice_host_api* api_ = nullptr;
    sluice_metric* metric_ = nullptr;
};

// One plugin object's link to the host: the host starts every line the object logs with its
// kind and instance ("middleware strip-api@file: ..."), and names the plugin, kind and
// instance in the faults it reports and the metrics it counts.
//
// Lifetime: the `host&` a create() receives lives next to the object the SDK creates and
// stays valid until that object is destroyed, so an object may keep the reference, or a
// copy (a copy is just as good: two pointers). Threads: log and metric updates from any
// thread, metric registration from create() only. Plugins log through it rather than
// through a logging library of their own, so one configuration (level, format,
// destination) governs everything the process prints.
class host {
public:
    host(const sluice_host_api* api, sluice_host* link) noexcept : api_(api), link_(link) {}

    void log(log_level level, std::string_view message) const noexcept {
        api_->log(link_, static_cast<std::uint32_t>(level), detail::to_c(message));
    }
    // Whether log(level, ...) would print: test it before building an expensive message.
    bool log_enabled(log_level level) const noexcept {
        return api_->log_enabled(link_, static_cast<std::uint32_t>(level)) != 0;
    }

    // Registration, from create() only. `name` is [a-z0-9_] (the host prefixes it with
    // sluice_plugin_, and a counter's with _total); `help` is the metric's description.
    sdk::counter counter(std::string_view name, std::string_view help) const noexcept {
        return {api_, api_->counter(link_, detail::to_c(name), detail::to_c(help))};
    }
    sdk::gauge gauge(std::string_view name, std::string_view help) const noexcept {
        return {api_, api_->gauge(link_, detail::to_c(name), detail::to_c(help))};
    }

    // The C boundary underneath, for code that calls sluice_host_api directly.
    const sluice_host_api* api() const noexcept { return api_; }
    sluice_host* handle() const noexcept { return link_; }

private:
    const sluice_host_api* api_;
    sluice_host* link_;
};

// Receives configuration errors during a create() or create_picker() call. `key` is the
// path inside the plugin's own table ("prefixes[1]", "cookie.name"), empty for the table as
// a whole; the host adds the file and line. Valid only during the call that received it
// (do not keep it). sdk::config_reader (config_reader.hpp) reports through it.
class error_sink {
public:
    error_sink(const sluice_host_api* api, sluice_error_sink* sink) noexcept : api_(api), sink_(sink) {}

    void error(std::string_view key, std::string_view message) const noexcept {
        api_->config_error(sink_, detail::to_c(key), detail::to_c(message));
    }

    const sluice_host_api* api() const noexcept { return api_; }
    sluice_error_sink* handle() const noexcept { return sink_; }

private:
    const sluice_host_api* api_;
    sluice_error_sink* sink_;
};

}  // namespace sluice::sdk
