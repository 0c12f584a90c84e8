// docker: backends discovered live from the Docker Engine, configured by container labels.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "labels.hpp"
#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/declare.hpp"

namespace sluice::docker {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace json = boost::json;
using namespace std::chrono_literals;
constexpr auto nothrow = net::as_tuple(net::use_awaitable);

// The newest Engine API this provider speaks; older daemons are met at their version.
constexpr int newest_api_minor = 45;

struct engine_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::pair<int, int> parse_version(std::string_view v) {
    const auto dot = v.find('.');
    if (dot == std::string_view::npos) return {0, 0};
    try {
        return {std::stoi(std::string(v.substr(0, dot))), std::stoi(std::string(v.substr(dot + 1)))};
    } catch (...) {
        return {0, 0};
    }
}

// One connection to the Engine: a unix socket or TCP, with Beast's timeouts.
template <class Protocol>
class engine_link {
public:
    using stream_type = beast::basic_stream<Protocol>;

    engine_link(net::io_context& ioc, typename Protocol::endpoint endpoint) : ioc_(ioc), endpoint_(endpoint) {}

    // GET target; returns status and body. Throws engine_error on a transport failure.
    net::awaitable<std::pair<unsigned, std::string>> get(std::string target) {
        stream_type stream(ioc_);
        stream.expires_after(10s);
        auto [cec] = co_await stream.async_connect(endpoint_, nothrow);
        if (cec) throw engine_error("cannot connect: " + cec.message());
        bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
        req.set(bhttp::field::host, "docker");  // the Engine requires one, any value
        req.set(bhttp::field::user_agent, "sluice-docker-provider");
        auto [wec, wn] = co_await bhttp::async_write(stream, req, nothrow);
        if (wec) throw engine_error("request failed: " + wec.message());
        beast::flat_buffer buffer;
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        auto [rec, rn] = co_await bhttp::async_read(stream, buffer, parser, nothrow);
        if (rec) throw engine_error("reading the answer failed: " + rec.message());
        co_return std::make_pair(parser.get().result_int(), std::move(parser.get().body()));
    }

    // Opens the event stream; returns once the Engine accepted it.
    net::awaitable<void> open_events(std::string target) {
        events_.emplace(ioc_);
        events_->expires_after(10s);
        auto [cec] = co_await events_->async_connect(endpoint_, nothrow);
        if (cec) throw engine_error("cannot connect: " + cec.message());
        bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
        req.set(bhttp::field::host, "docker");
        auto [wec, wn] = co_await bhttp::async_write(*events_, req, nothrow);
        if (wec) throw engine_error("event request failed: " + wec.message());
        events_parser_.emplace();
        events_parser_->body_limit(boost::none);
        auto [rec, rn] = co_await bhttp::async_read_header(*events_, events_buffer_, *events_parser_, nothrow);
        if (rec) throw engine_error("event stream refused: " + rec.message());
        if (events_parser_->get().result_int() != 200)
            throw engine_error("event stream refused with status " + std::to_string(events_parser_->get().result_int()));
        // No heartbeats: the stream may stay quiet for as long as nothing happens.
        events_->expires_never();
    }

    // The next event line (newline-delimited JSON in a chunked body).
    net::awaitable<std::string> next_event() {
        for (;;) {
            if (const auto nl = pending_.find('\n'); nl != std::string::npos) {
                std::string line = pending_.substr(0, nl);
                pending_.erase(0, nl + 1);
                if (!line.empty()) co_return line;
                continue;
            }
            std::array<char, 8192> chunk;
            auto& body = events_parser_->get().body();
            body.data = chunk.data();
            body.size = chunk.size();
            auto [ec, n] = co_await bhttp::async_read_some(*events_, events_buffer_, *events_parser_, nothrow);
            if (ec && ec != bhttp::error::need_buffer) throw engine_error("event stream ended: " + ec.message());
            pending_.append(chunk.data(), chunk.size() - body.size);
            if (events_parser_->is_done()) throw engine_error("event stream ended");
            if (pending_.size() > (1u << 20)) throw engine_error("event line too long");
        }
    }

    void close() {
        if (events_) events_->close();
    }

private:
    net::io_context& ioc_;
    typename Protocol::endpoint endpoint_;
    std::optional<stream_type> events_;
    std::optional<bhttp::response_parser<bhttp::buffer_body>> events_parser_;
    beast::flat_buffer events_buffer_;
    std::string pending_;
};

std::string json_string(const json::value* v) {
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// A container from GET /containers/{id}/json.
container from_inspect(const json::value& doc) {
    container c;
    const auto& o = doc.as_object();
    c.id = json_string(o.if_contains("Id"));
    c.name = json_string(o.if_contains("Name"));
    if (c.name.starts_with('/')) c.name.erase(0, 1);
    if (const auto* state = o.if_contains("State"); state && state->is_object()) {
        c.state = json_string(state->as_object().if_contains("Status"));
        if (const auto* h = state->as_object().if_contains("Health"); h && h->is_object())
            c.health = json_string(h->as_object().if_contains("Status"));
    }
    if (const auto* config = o.if_contains("Config"); config && config->is_object()) {
        if (const auto* labels = config->as_object().if_contains("Labels"); labels && labels->is_object())
            for (const auto& [k, v] : labels->as_object()) c.labels[std::string(k)] = json_string(&v);
        if (const auto* ports = config->as_object().if_contains("ExposedPorts"); ports && ports->is_object())
            for (const auto& [k, v] : ports->as_object()) {
                const std::string key(k);  // "80/tcp"
                if (!key.ends_with("/tcp")) continue;
                try {
                    c.exposed_ports.push_back(static_cast<std::uint16_t>(std::stoi(key)));
                } catch (...) {
                }
            }
        std::sort(c.exposed_ports.begin(), c.exposed_ports.end());
    }
    if (const auto* host = o.if_contains("HostConfig"); host && host->is_object())
        c.network_mode = json_string(host->as_object().if_contains("NetworkMode"));
    if (const auto* settings = o.if_contains("NetworkSettings"); settings && settings->is_object())
        if (const auto* nets = settings->as_object().if_contains("Networks"); nets && nets->is_object())
            for (const auto& [name, net] : nets->as_object())
                if (net.is_object()) c.networks[std::string(name)] = json_string(net.as_object().if_contains("IPAddress"));
    return c;
}

// JSON is handled in plain functions, outside coroutine frames.
container parse_inspect(const std::string& body) { return from_inspect(json::parse(body)); }

std::vector<std::string> container_ids(const std::string& body) {
    std::vector<std::string> ids;
    const json::value list = json::parse(body);
    if (!list.is_array()) throw engine_error("listing containers did not answer with an array");
    for (const auto& item : list.as_array())
        if (item.is_object()) ids.push_back(json_string(item.as_object().if_contains("Id")));
    return ids;
}

// "/v1.41": the lower of the newest version we speak and the daemon's, refused below its minimum.
std::string negotiate(const std::string& version_body) {
    const auto version = json::parse(version_body);
    if (!version.is_object()) throw engine_error("GET /version did not answer with an object");
    const auto daemon_max = parse_version(json_string(version.as_object().if_contains("ApiVersion")));
    const auto daemon_min = parse_version(json_string(version.as_object().if_contains("MinAPIVersion")));
    const std::pair<int, int> use = std::min(std::make_pair(1, newest_api_minor), daemon_max);
    if (use < daemon_min)
        throw engine_error("the daemon needs API " + std::to_string(daemon_min.first) + "." +
                           std::to_string(daemon_min.second) + " or newer; this provider speaks up to 1." +
                           std::to_string(newest_api_minor));
    return "/v" + std::to_string(use.first) + "." + std::to_string(use.second);
}

struct engine_event {
    std::string action, id, signal;
};

// Network events name the container in an attribute: they are turned into a container
// event ("connect"/"disconnect") for it.

engine_event parse_event(const std::string& line) {
    engine_event e;
    json::value event;
    try {
        event = json::parse(line);
    } catch (...) {
        return e;
    }
    if (!event.is_object()) return e;
    const auto& o = event.as_object();
    e.action = json_string(o.if_contains("Action"));
    const bool network = json_string(o.if_contains("Type")) == "network";
    if (const auto* actor = o.if_contains("Actor"); actor && actor->is_object()) {
        e.id = json_string(actor->as_object().if_contains("ID"));
        if (const auto* attrs = actor->as_object().if_contains("Attributes"); attrs && attrs->is_object()) {
            e.signal = json_string(attrs->as_object().if_contains("signal"));
            if (network) e.id = json_string(attrs->as_object().if_contains("container"));
        }
    }
    if (network && e.action != "connect" && e.action != "disconnect") e.id.clear();
    return e;
}

struct settings {
    std::string endpoint = "unix:///var/run/docker.sock";
    options labels;
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
        if (!s.endpoint.starts_with("unix://") && !s.endpoint.starts_with("tcp://"))
            options.error("endpoint", "\"" + s.endpoint + "\" is neither unix:///path nor tcp://host:port");
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
    void log(sdk::log_level level, const std::string& message) { host_.log(level, "provider " + name_ + ": " + message); }

    net::awaitable<void> run() {
        auto backoff = 100ms;
        bool outage = false;
        for (;;) {
            std::string error;
            try {
                if (settings_.endpoint.starts_with("unix://")) {
                    engine_link<net::local::stream_protocol> link(
                        ioc_, net::local::stream_protocol::endpoint(settings_.endpoint.substr(7)));
                    co_await session(link, outage);
                } else {
                    const std::string address = settings_.endpoint.substr(6);
                    const auto colon = address.rfind(':');
                    net::ip::tcp::resolver resolver(ioc_);
                    const auto resolved =
                        co_await resolver.async_resolve(address.substr(0, colon), address.substr(colon + 1), nothrow);
                    const auto& [rec, results] = resolved;
                    if (rec || results.empty()) throw engine_error("cannot resolve " + address + ": " + rec.message());
                    engine_link<net::ip::tcp> link(ioc_, *results.begin());
                    co_await session(link, outage);
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
