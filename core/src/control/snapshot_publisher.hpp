// The watcher's listener that serves traffic: builds each merged configuration into a
// runtime snapshot, putting back the last valid definition of any object whose new one is
// invalid, lets its own listeners (health) attach state to the snapshot, and publishes it
// to the workers.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/dynamic_config.hpp"
#include "plugin/plugin_registry.hpp"
#include "runtime/snapshot_store.hpp"

namespace sluice::control {

// What changed since the previous configuration, for one log line: objects added (+) and
// removed (-), servers added or removed per service, routers changed.
std::string describe_changes(const config::dynamic_config* before, const config::dynamic_config& after);

class snapshot_publisher {
public:
    // Called on the control thread with each new snapshot before the workers see it; it may
    // still be changed.
    using listener = std::function<void(const std::shared_ptr<runtime::snapshot>&)>;

    snapshot_publisher(const plugin::plugin_registry& plugins, plugin::plugin_services& services, std::vector<std::string> entry_points,
                       runtime::snapshot_store& store);

    void add_listener(listener l) { listeners_.push_back(std::move(l)); }

    // A configuration_watcher listener.
    void apply(std::uint64_t generation, const config::dynamic_config& merged);

private:
    // The last definition of each object that built into a published snapshot.
    struct valid_objects {
        std::map<std::string, config::router_config> routers;
        std::map<std::string, config::service_config> services;
        std::map<std::string, config::middleware_config> middlewares;
    };

    // Builds `merged`, putting back the last valid definition of every object whose new one
    // is invalid (recorded in the snapshot's `stale`), and remembers what built.
    std::unique_ptr<runtime::snapshot> build_keeping_valid(config::dynamic_config& merged, std::uint64_t generation);

    const plugin::plugin_registry& plugins_;
    plugin::plugin_services& services_;
    std::vector<std::string> entry_points_;
    runtime::snapshot_store& store_;
    std::vector<listener> listeners_;
    std::shared_ptr<const config::dynamic_config> last_;  // for logging what changed
    std::shared_ptr<const runtime::snapshot> published_;  // the objects of unchanged definitions are kept
    valid_objects last_valid_;
};

}  // namespace sluice::control
