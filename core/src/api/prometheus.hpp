// Prometheus exposition of the proxy's metrics, reload statistics, health, plugin faults and
// the metrics plugins register.
#pragma once

#include <string>

#include "http/server.hpp"
#include "plugin/plugin_registry.hpp"
#include "control/configuration_watcher.hpp"
#include "runtime/snapshot.hpp"

namespace sluice::api {

// The text format (version 0.0.4) of /metrics.
std::string prometheus(const http::proxy_server::metrics_snapshot& m, const runtime::snapshot& snap,
                       const plugin::plugin_services& services, const control::reload_stats& stats,
                       const plugin::plugin_registry& plugins);

}  // namespace sluice::api
