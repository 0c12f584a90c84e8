// Turns merged dynamic configuration into a runtime snapshot, creating plugin objects.
// Every server starts with fresh health state; health::registry swaps in the state it
// carries before the snapshot is published.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/dynamic_config.hpp"
#include "plugin/plugin_registry.hpp"
#include "runtime/snapshot.hpp"

namespace sluice::control {

// Invalid objects are left out and listed in snapshot::disabled; so are routers that
// refer to them. Never throws for configuration problems. An object whose definition is the
// same as in `previous` (built from previous->config) is not built again: the new snapshot
// serves the same object, plugin objects and their state included.
std::unique_ptr<runtime::snapshot> build_snapshot(const config::dynamic_config& cfg, const plugin::plugin_registry& plugins,
                                         plugin::plugin_services& services,
                                         const std::vector<std::string>& entry_points,
                                         std::uint64_t generation, const runtime::snapshot* previous = nullptr);

}  // namespace sluice::control
