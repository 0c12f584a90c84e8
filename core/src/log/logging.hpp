// Process logging (spdlog on standard error) and the host object plugins log through.
#pragma once

#include <string_view>

#include "sluice/sdk/host.hpp"

namespace sluice::log {

// "trace" | "debug" | "info" | "warn" | "error".
void setup(std::string_view level);

class plugin_host final : public sdk::host {
public:
    void log(sdk::log_level level, std::string_view message) noexcept override;
    bool log_enabled(sdk::log_level level) const noexcept override;
};

}  // namespace sluice::log
