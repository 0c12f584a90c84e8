// docker: backends discovered live from the Docker Engine, configured by container labels.
// The provider watches the Engine (engine_api.hpp) and publishes what the containers' labels
// say (labels.hpp) as one configuration document.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

#include <boost/asio.hpp>

#include "engine_api.hpp"
#include "labels.hpp"
#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/declare.hpp"

namespace sluice::docker {
namespace {

using namespace std::chrono_literals;

struct settings {
    std::string endpoint = "unix:///var/run/docker.sock";
    options labels;
    std::shared_ptr<net::ssl::context> tls;  // set: TCP with TLS ([providers.docker.tls])
    bool verify_host = true;
};

class docker_provider {
public:
    static std::unique_ptr<docker_provider> create(sdk::host& host, std::string_view instance, std::string_view config,
                                                   sdk::error_sink& errors) {
        sdk::config_reader options(config, errors);
        settings s;
        s.endpoint = options.string_or("endpoint", s.endpoint);
        s.labels.label_prefix = options.string_or("labelPrefix", s.labels.label_prefix);
        s.labels.network = options.string_or("network", s.labels.network);
        s.labels.default_rule = options.string_or("defaultRule", s.labels.default_rule);
        s.labels.exposed_by_default = options.boolean_or("exposedByDefault", s.labels.exposed_by_default);
        s.labels.allow_empty_services = options.boolean_or("allowEmptyServices", s.labels.allow_empty_services);
        try {
            s.labels.only = constraints::parse(options.string_or("constraints", ""));
        } catch (const std::invalid_argument& e) {
            options.error("constraints", e.what());
        }
        if (!s.endpoint.starts_with("unix://") && !s.endpoint.starts_with("tcp://"))
            options.error("endpoint", "\"" + s.endpoint + "\" is neither unix:///path nor tcp://host:port");
        if (auto tls = options.switched_table("tls")) {
            tls_settings t{tls->string_or("ca", ""), tls->string_or("cert", ""), tls->string_or("key", ""),
                           tls->boolean_or("insecureSkipVerify", false)};
            s.verify_host = !t.insecure_skip_verify;
            if (!s.endpoint.starts_with("tcp://")) options.error("tls", "TLS needs a tcp://host:port endpoint");
            try {
                s.tls = make_tls_context(t);
            } catch (const std::invalid_argument& e) {
                const std::string what = e.what();  // "tls.<key>: ..."
                const auto colon = what.find(": ");
                options.error(what.substr(0, colon), what.substr(colon + 2));
            }
        }
        if (!options.finish()) return nullptr;
        return std::make_unique<docker_provider>(host, std::string(instance), std::move(s));
    }

    docker_provider(sdk::host host, std::string name, settings s)
        : host_(host), name_(std::move(name)), settings_(std::move(s)) {}
    docker_provider(const docker_provider&) = delete;
    docker_provider& operator=(const docker_provider&) = delete;
    ~docker_provider() { stop(); }

    bool start(sdk::document_sink& sink) noexcept {
        try {
            sink_ = sink;
            work_.emplace(ioc_.get_executor());
            net::co_spawn(ioc_, run(), [this](std::exception_ptr e) {
                if (e) log(sdk::log_level::error, "stopped by an unexpected error");
            });
            thread_ = std::thread([this] { ioc_.run(); });
            return true;
        } catch (...) {
            return false;
        }
    }

    void stop() noexcept {
        if (!thread_.joinable()) return;
        stopping_ = true;
        ioc_.stop();
        thread_.join();
    }

private:
    void log(sdk::log_level level, const std::string& message) { host_.log(level, message); }

    net::awaitable<void> run() {
        auto backoff = 100ms;
        bool outage = false;
        for (;;) {
            std::string error;
            try {
                if (settings_.endpoint.starts_with("unix://")) {
                    engine_link link(ioc_, plain_transport<net::local::stream_protocol>(
                                               net::local::stream_protocol::endpoint(settings_.endpoint.substr(7))));
                    co_await session(link, outage);
                } else {
                    const std::string address = settings_.endpoint.substr(6);
                    const auto colon = address.rfind(':');
                    std::string host = address.substr(0, colon);
                    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
                    net::ip::tcp::resolver resolver(ioc_);
                    const auto resolved = co_await resolver.async_resolve(host, address.substr(colon + 1), nothrow);
                    const auto& [rec, results] = resolved;
                    if (rec || results.empty()) throw engine_error("cannot resolve " + address + ": " + rec.message());
                    if (settings_.tls) {
                        engine_link link(ioc_, tls_transport(*results.begin(), host, settings_.tls, settings_.verify_host));
                        co_await session(link, outage);
                    } else {
                        engine_link link(ioc_, plain_transport<net::ip::tcp>(*results.begin()));
                        co_await session(link, outage);
                    }
                }
                backoff = 100ms;  // a session that ran and ended resets the backoff
            } catch (const std::exception& e) {
                error = e.what();
            }
            if (stopping_) co_return;
            // One message per outage, not per retry; the last known backends keep serving.
            if (!outage) {
                log(sdk::log_level::warn, settings_.endpoint + " unreachable (" + error +
                                              "); serving the last known backends and retrying");
                outage = true;
            }
            net::steady_timer timer(ioc_, backoff);
            co_await timer.async_wait(nothrow);
            backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
        }
    }

    template <class Link>
    net::awaitable<void> session(Link& link, bool& outage) {
        // Negotiate: the lower of our newest and the daemon's, refused below its minimum.
        // (Replies are kept whole, not destructured: GCC 12 mishandles structured bindings of
        // non-trivial types across suspension points.)
        const auto version_reply = co_await link.get("/version");
        if (version_reply.first != 200)
            throw engine_error("GET /version answered " + std::to_string(version_reply.first));
        api_ = negotiate(version_reply.second);

        // Subscribe first, then list: nothing that happens in between is missed.
        co_await link.open_events(api_ + "/events?filters=" + url_encode(R"({"type":["container","network"]})"));
        co_await find_own_networks(link);
        const auto list = co_await link.get(api_ + "/containers/json?all=1");
        if (list.first != 200) throw engine_error("listing containers answered " + std::to_string(list.first));
        containers_.clear();
        for (const std::string& id : container_ids(list.second)) co_await inspect(link, id);
        if (outage) log(sdk::log_level::info, settings_.endpoint + " reachable again (API " + api_.substr(2) + ")");
        else log(sdk::log_level::info, "watching " + settings_.endpoint + " (API " + api_.substr(2) + ")");
        outage = false;
        publish();
        for (;;) {
            const std::string line = co_await link.next_event();
            const engine_event event = parse_event(line);
            const std::string& action = event.action;
            const std::string& id = event.id;
            const std::string& signal = event.signal;
            if (id.empty()) continue;
            if (action == "kill" || action == "stop") {
                // Stop sending new requests now, not when it dies (TERM, KILL, INT, QUIT).
                if (action == "kill" && !signal.empty() && signal != "15" && signal != "9" && signal != "2" &&
                    signal != "3")
                    continue;
                if (auto it = containers_.find(id); it != containers_.end() && !it->second.stopping) {
                    it->second.stopping = true;
                    publish();
                }
            } else if (action == "die" || action == "destroy") {
                if (containers_.erase(id)) publish();
            } else if (action == "start" || action == "unpause" || action == "pause" || action == "restart" ||
                       action == "connect" || action == "disconnect" || action.starts_with("health_status")) {
                if ((action == "connect" || action == "disconnect") && !containers_.count(id)) continue;
                co_await inspect(link, id);
                publish();
                if (action == "start") co_await await_address(link, id);
            }
        }
    }

    // A start event can come before the container's network is attached.
    template <class Link>
    net::awaitable<void> await_address(Link& link, const std::string& id) {
        for (int attempt = 0; attempt < 20; ++attempt) {
            auto it = containers_.find(id);
            if (it == containers_.end() || it->second.network_mode == "host") co_return;
            for (const auto& [name, ip] : it->second.networks)
                if (!ip.empty()) co_return;
            net::steady_timer timer(ioc_, 50ms);
            co_await timer.async_wait(nothrow);
            co_await inspect(link, id);
            publish();
        }
    }

    template <class Link>
    net::awaitable<void> inspect(Link& link, const std::string& id) {
        const auto reply = co_await link.get(api_ + "/containers/" + id + "/json");
        if (reply.first == 404) {
            containers_.erase(id);
            co_return;
        }
        if (reply.first != 200)
            throw engine_error("inspecting " + id.substr(0, 12) + " answered " + std::to_string(reply.first));
        containers_[id] = parse_inspect(reply.second);
    }

    // When sluice runs in a container, its networks come first when picking an address.
    template <class Link>
    net::awaitable<void> find_own_networks(Link& link) {
        settings_.labels.own_networks.clear();
        std::ifstream hostname_file("/etc/hostname");
        std::string hostname;
        std::getline(hostname_file, hostname);
        if (hostname.empty() || !std::ifstream("/.dockerenv")) co_return;
        const auto reply = co_await link.get(api_ + "/containers/" + hostname + "/json");
        if (reply.first != 200) co_return;
        for (const auto& [name, ip] : parse_inspect(reply.second).networks)
            settings_.labels.own_networks.push_back(name);
    }

    void publish() {
        std::vector<container> list;
        for (const auto& [id, c] : containers_) list.push_back(c);
        auto doc = build_document(std::move(list), settings_.labels);
        for (const auto& w : doc.warnings)
            if (warned_.insert(w).second) log(sdk::log_level::warn, w);
        if (warned_.size() > 1000) warned_.clear();  // bounded; repeats may be logged again
        if (doc.toml == last_) return;
        last_ = doc.toml;
        sink_.publish(last_);
    }

    static std::string url_encode(std::string_view s) {
        std::string out;
        for (unsigned char c : s) {
            if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
            else {
                static constexpr char hex[] = "0123456789ABCDEF";
                out += '%';
                out += hex[c >> 4];
                out += hex[c & 15];
            }
        }
        return out;
    }

    sdk::host host_;  // views: copies stay valid for the provider's life (the sink until stop returns)
    std::string name_;
    settings settings_;
    sdk::document_sink sink_;
    net::io_context ioc_{1};
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::string api_;
    std::map<std::string, container> containers_;  // by ID: names and addresses are reused
    std::set<std::string> warned_;
    std::string last_;
};

}  // namespace
}  // namespace sluice::docker

SLUICE_DECLARE_PROVIDER(sluice::docker::docker_provider, "docker", "1.0.0",
                        "Backends from the Docker Engine, configured by container labels",
                        "endpoint = \"unix:///var/run/docker.sock\"\nlabelPrefix = \"sluice\"\nexposedByDefault = true\n")
