// @NAME@: a provider. It publishes one router and one service built from its options, then
// publishes them again every `interval`, where a real provider would ask its source (an
// API, a file, a registry) what changed. Each publication is a whole TOML document that
// replaces everything this provider published before.
//
//     [providers.mine]
//     plugin = "@NAME@"
//     rule = "Host(`app.localhost`)"
//     servers = ["http://127.0.0.1:8080"]
//     interval = "30s"               # optional
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <toml++/toml.h>

#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/declare.hpp"

namespace @IDENT@ {

namespace sdk = sluice::sdk;

// One configured provider. create, start and stop run on the control thread; the provider
// owns the thread it starts and joins it in stop.
class provider {
public:
    static std::unique_ptr<provider> create(sdk::host& host, std::string_view, std::string_view config,
                                            sdk::error_sink& errors) {
        sdk::config_reader options(config, errors);
        auto rule = options.required_string("rule", "a router rule such as \"Host(`app.localhost`)\"");
        auto servers = options.required_string_list("servers", "a list of server URLs");
        const auto interval = options.duration_or("interval", std::chrono::seconds(30));
        if (!options.finish() || !rule || !servers) return nullptr;
        return std::make_unique<provider>(host, document(*rule, *servers), interval);
    }

    provider(sdk::host& host, std::string document, std::chrono::milliseconds interval)
        : host_(host), document_(std::move(document)), interval_(interval) {}

    ~provider() { stop(); }

    // Returns promptly: the first publication is made here, the next ones by the thread.
    bool start(sdk::document_sink& sink) {
        sink.publish(document_);
        thread_ = std::thread([this, &sink] { run(sink); });
        return true;
    }

    void stop() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        if (thread_.joinable()) thread_.join();
    }

private:
    // The configuration document: toml++ writes it, so every value is quoted correctly.
    static std::string document(const std::string& rule, const std::vector<std::string>& urls) {
        toml::array servers;
        for (const auto& url : urls) servers.push_back(toml::table{{"url", url}});
        const toml::table doc{
            {"http", toml::table{
                         {"routers", toml::table{{"app", toml::table{{"rule", rule}, {"service", "app"}}}}},
                         {"services",
                          toml::table{{"app", toml::table{{"loadBalancer", toml::table{{"servers", servers}}}}}}},
                     }}};
        std::ostringstream out;
        out << doc;
        return out.str();
    }

    void run(sdk::document_sink& sink) {
        std::unique_lock lock(mutex_);
        while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
            lock.unlock();
            sink.publish(document_);
            host_.log(sdk::log_level::debug, "published again");
            lock.lock();
        }
    }

    sdk::host& host_;
    const std::string document_;
    const std::chrono::milliseconds interval_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace @IDENT@

SLUICE_DECLARE_PROVIDER(@IDENT@::provider, "@NAME@", "0.1.0", "Publishes one router and service from its options",
                        "rule = \"Host(`app.localhost`)\"\nservers = [\"http://127.0.0.1:8080\"]\ninterval = \"30s\"\n")
