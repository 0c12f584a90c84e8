// Runs every provider, built-in and plugin alike, behind one interface: abi.h's provider
// table (create, start with a sink, stop, destroy). The built-in file provider offers that
// table too, rather than both sides implementing a second, core-only interface: it is all
// the host needs, and one interface keeps the file provider an ordinary provider that a
// plugin could replace. What differs per provider, how its documents are named in errors,
// is the host's business and lives in the sink it hands each one.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "config/static_config.hpp"
#include "control/configuration_watcher.hpp"
#include "control/file_provider.hpp"
#include "plugin/plugin_registry.hpp"

namespace sluice::control {

// How the watcher names a provider's documents in errors.
struct document_origin {
    std::string source;        // a file path, or "provider <name>"
    bool shared_file = false;  // the static configuration file (see configuration_watcher::submit)
};

// Creates the provider plugin instance `p`; nullptr, with the reasons added to
// `errors`, when it cannot be.
plugin::provider_object create_plugin_provider(const plugin::plugin_registry& plugins,
                                               plugin::plugin_services& services,
                                               const config::provider_instance_config& p, config::error_list& errors);

class provider_host {
public:
    explicit provider_host(configuration_watcher& watcher);
    // Stops every provider still running (stop()), then destroys them all: a provider is
    // never destroyed without its stop(), whichever way the proxy ends.
    ~provider_host();

    // Starts `provider`, whose documents reach the watcher under `name`. Returns false (and
    // logs why) when it does not start; it is destroyed then.
    bool start(std::string name, plugin::provider_object provider, document_origin origin);
    // The built-in file provider, on the control thread.
    void start_file(boost::asio::io_context& control, file_source source);
    // Every provider plugin instance of `cfg`; those that cannot be created or started are
    // logged and left out.
    void start_plugins(const plugin::plugin_registry& plugins, plugin::plugin_services& services,
                       const config::static_config& cfg);

    // SIGHUP: the file provider reads its file again. Control thread.
    void reread_files();
    // Stops every provider, in the order they started; their last documents stay in force.
    void stop();

private:
    class sink;
    struct running {
        std::string name;
        std::unique_ptr<sink> documents;  // declared first: it outlives `provider`
        plugin::provider_object provider;
    };

    configuration_watcher& watcher_;
    std::vector<running> running_;
    file_provider* file_ = nullptr;  // owned by its entry in running_
    bool stopped_ = false;
};

}  // namespace sluice::control
