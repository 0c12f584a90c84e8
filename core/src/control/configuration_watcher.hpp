// The configuration watcher (control thread), after Traefik's: providers send whole
// documents from any thread; the watcher keeps the newest of each provider (of each file,
// for the file provider's directory), drops unchanged ones, throttles so that a burst
// yields one rebuild with the newest state, and hands the merge of every provider's
// configuration to its listeners.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/dynamic_config.hpp"

namespace sluice::control {

struct reload_stats {
    std::uint64_t reloads = 0;          // merged configurations handed to the listeners
    std::uint64_t rejected = 0;         // documents that did not parse
    bool last_success = true;           // the newest document of every provider (every file) applied
    std::int64_t last_success_unix = 0;
};

class configuration_watcher {
public:
    // Called on the control thread with a number that grows by one per call (1 first).
    using listener = std::function<void(std::uint64_t generation, const config::dynamic_config& merged)>;

    // `throttle`: how long the first change of a burst waits for the rest before the
    // rebuild; the very first rebuild runs at once. `balancer_wrappers`: the loaded wrapping
    // balancer plugins (plugin_registry::balancer_wrappers()), for the parser.
    configuration_watcher(boost::asio::io_context& control, std::chrono::milliseconds throttle,
                          std::vector<std::string> balancer_wrappers = {});

    // Before the first document arrives.
    void add_listener(listener l) { listeners_.push_back(std::move(l)); }

    // Thread-safe. A complete document for `provider` from `source`, replacing the previous
    // one from there. `source` names it in errors (a file path, or the provider); a provider
    // has one source, except the file provider reading a directory, one per file.
    // `shared_file` marks the static file, whose other top-level tables are not the
    // provider's business.
    void submit(std::string provider, std::string source, std::string document, bool shared_file = false);
    // Thread-safe. `source` is gone (a file deleted from the directory): its objects go too.
    void withdraw(std::string provider, std::string source);

    // Control thread.
    const reload_stats& stats() const noexcept { return stats_; }

private:
    struct provider_state {
        std::string text;
        config::dynamic_config parsed;
    };

    void accept(const std::string& provider, const std::string& source, const std::string& document, bool shared_file);
    void schedule_rebuild();
    void rebuild();

    std::chrono::milliseconds throttle_;
    std::vector<std::string> balancer_wrappers_;
    boost::asio::io_context& control_;
    boost::asio::steady_timer timer_;
    bool pending_ = false;
    std::uint64_t generation_ = 0;
    // By provider, then source as a path, element by element: a directory's files merge in
    // the order Traefik reads them (each folder's entries by name), which decides which of
    // two definitions of one name stays.
    struct source_order {
        bool operator()(const std::pair<std::string, std::string>& a,
                        const std::pair<std::string, std::string>& b) const {
            if (a.first != b.first) return a.first < b.first;
            return std::filesystem::path(a.second) < std::filesystem::path(b.second);
        }
    };
    std::map<std::pair<std::string, std::string>, provider_state, source_order> documents_;
    // The last rejected text of each source, until another arrives: a file read again
    // unchanged (a directory is read whole on any change in it) is not reported again.
    std::map<std::pair<std::string, std::string>, std::string> rejected_;
    std::set<std::string> duplicates_said_;  // names defined twice, as last reported
    std::vector<listener> listeners_;
    reload_stats stats_;
};

// Parses one provider document: its [http] tables, qualified by `provider`. Throws
// config::config_exception when the text is not TOML at all.
config::dynamic_config parse_provider_document(const std::string& provider, const std::string& source,
                                               const std::string& document, bool shared_file,
                                               const std::vector<std::string>& balancer_wrappers);

}  // namespace sluice::control
