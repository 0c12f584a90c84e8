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

}  // namespace sluice::log
