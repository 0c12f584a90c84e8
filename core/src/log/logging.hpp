// Process logging: spdlog on standard error.
#pragma once

#include <string_view>

namespace sluice::log {

// "trace" | "debug" | "info" | "warn" | "error".
void setup(std::string_view level);

}  // namespace sluice::log
