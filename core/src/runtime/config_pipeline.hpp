// The configuration pipeline (control thread): latest document per provider, deduplicated
// and throttled, parsed, merged, built into a snapshot and published atomically.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/dynamic_config.hpp"
#include "plugin/plugin_registry.hpp"
#include "runtime/health_checker.hpp"
#include "runtime/snapshot_store.hpp"

namespace sluice::runtime {

std::string describe_changes(const config::dynamic_config* before, const config::dynamic_config& after);

class config_pipeline {
public:
    config_pipeline(boost::asio::io_context& control, const plugin::plugin_registry& plugins, sdk::host& host,
                    std::vector<std::string> entry_points, std::chrono::milliseconds throttle,
                    snapshot_store& store);

    // Thread-safe. A complete document for `provider`, replacing its previous one.
    // `source` names it in errors (a file path, or the provider). `shared_file` marks the
    // static file, whose other top-level tables are not the provider's business.
    void submit(std::string provider, std::string source, std::string document, bool shared_file = false);

    // Parses and builds once, synchronously, without publishing (for `sluice check`).
    // Returns every error: unparsable documents and disabled objects.
    config::error_list check(const std::string& provider, const std::string& source, const std::string& document,
                             bool shared_file) const;

    struct reload_stats {
        std::uint64_t reloads = 0;          // snapshots published
        std::uint64_t rejected = 0;         // documents that did not parse
        bool last_success = true;           // the newest document of every provider applied
        std::int64_t last_success_unix = 0;
    };
    const reload_stats& stats() const noexcept { return stats_; }
    const health_checker& health() const noexcept { return health_; }

private:
    struct provider_state {
        std::string text;
        config::dynamic_config parsed;
    };

    // The last definition of each object that built into a published snapshot.
    struct valid_objects {
        std::map<std::string, config::router_config> routers;
        std::map<std::string, config::service_config> services;
        std::map<std::string, config::middleware_config> middlewares;
    };

    void accept(const std::string& provider, const std::string& source, const std::string& document, bool shared_file);
    void rebuild();
    // Builds `merged`, putting back the last valid definition of every object whose new one
    // is invalid (recorded in the snapshot's `stale`), and remembers what built.
    std::unique_ptr<snapshot> build_keeping_valid(config::dynamic_config& merged);

    boost::asio::io_context& control_;
    const plugin::plugin_registry& plugins_;
    sdk::host& host_;
    std::vector<std::string> entry_points_;
    std::chrono::milliseconds throttle_;
    snapshot_store& store_;
    boost::asio::steady_timer timer_;
    bool pending_ = false;
    std::uint64_t generation_ = 0;
    std::map<std::string, provider_state> providers_;
    health_checker health_;
    reload_stats stats_;
    std::shared_ptr<const config::dynamic_config> last_;  // for logging what changed
    valid_objects last_valid_;
};

}  // namespace sluice::runtime
