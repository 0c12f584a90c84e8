#include "log/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace sluice::log {

namespace {
spdlog::level::level_enum to_spdlog(sdk::log_level level) {
    switch (level) {
        case sdk::log_level::trace: return spdlog::level::trace;
        case sdk::log_level::debug: return spdlog::level::debug;
        case sdk::log_level::info: return spdlog::level::info;
        case sdk::log_level::warn: return spdlog::level::warn;
        case sdk::log_level::error: return spdlog::level::err;
    }
    return spdlog::level::info;
}
}  // namespace

void setup(std::string_view level) {
    auto logger = spdlog::stderr_color_mt("sluice");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(std::string(level)));
    spdlog::flush_on(spdlog::level::info);
}

void plugin_host::log(sdk::log_level level, std::string_view message) noexcept {
    try {
        spdlog::log(to_spdlog(level), "{}", message);
    } catch (...) {
    }
}

bool plugin_host::log_enabled(sdk::log_level level) const noexcept { return spdlog::should_log(to_spdlog(level)); }

bool fault_counter::count(const sdk::fault_report& f, std::chrono::steady_clock::time_point now,
                          std::uint64_t& suppressed) {
    std::lock_guard lock(mutex_);
    key k{std::string(f.plugin), std::string(f.kind), std::string(f.instance), std::string(f.hook)};
    auto it = entries_.find(k);
    if (it == entries_.end()) {
        if (entries_.size() >= max_keys) k = {"(other)", "", "", ""};
        it = entries_.try_emplace(std::move(k)).first;
    }
    entry& e = it->second;
    ++e.total;
    if (e.total > 1 && now - e.last_logged < quiet) {
        ++e.unlogged;
        return false;
    }
    suppressed = e.unlogged;
    e.unlogged = 0;
    e.last_logged = now;
    return true;
}

std::vector<std::pair<fault_counter::key, std::uint64_t>> fault_counter::totals() const {
    std::lock_guard lock(mutex_);
    std::vector<std::pair<key, std::uint64_t>> out;
    for (const auto& [k, e] : entries_) out.emplace_back(k, e.total);
    return out;
}

void plugin_host::report_fault(const sdk::fault_report& f) noexcept {
    try {
        std::uint64_t suppressed = 0;
        if (!faults_.count(f, std::chrono::steady_clock::now(), suppressed)) return;
        spdlog::error("{} plugin {} (instance {}) failed in {}: {}{}", f.kind, f.plugin, f.instance, f.hook, f.what,
                      suppressed ? fmt::format(" ({} more since the last report)", suppressed) : std::string());
    } catch (...) {
    }
}

}  // namespace sluice::log
