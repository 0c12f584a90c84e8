// What the docker and swarm providers do alike around their own reading of the Engine: the
// options they share (endpoint, tls, labelPrefix, network, defaultRule, exposedByDefault,
// allowEmptyServices, constraints), a thread of their own running a session against the
// Engine and starting it again after any failure (backoff up to 5 s, one message per outage,
// the last known backends serving meanwhile), and publishing the document their containers
// make when it changed.
//
// A provider derives from engine_provider<Self> and defines
//   template <class Link> net::awaitable<void> session(Link& link);
// which talks to the Engine (under api_, the version agreed before it is called) until the
// connection fails (it throws engine_error), calling connected() once it has listed
// everything and publish() whenever its containers changed,
// and whose destructor calls stop() first (the session's coroutine uses the provider's
// members until the thread has stopped).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>

#include "engine_link.hpp"
#include "labels.hpp"
#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/provider.hpp"

namespace sluice::docker {

struct engine_settings {
    std::string endpoint = "unix:///var/run/docker.sock";
    options labels;
    std::shared_ptr<net::ssl::context> tls;  // set: TCP with TLS ([providers.<name>.tls])
    bool verify_host = true;
};

// Reads the shared options into `s`; errors go to `options` (the caller calls finish()).
void read_engine_settings(sdk::config_reader& options, engine_settings& s);

// The container this process runs in ("" when it runs in none): its ID from /etc/hostname
// when /.dockerenv exists.
std::string own_container_id();

// The names of the networks in GET /containers/{id}/json's answer.
std::vector<std::string> inspected_network_names(const std::string& body);

template <class Self>
class engine_provider {
public:
    // The plugin's create(): the shared options are all there is to configure.
    static std::unique_ptr<Self> create(sdk::host& host, std::string_view, std::string_view config,
                                        sdk::error_sink& errors) {
        sdk::config_reader options(config, errors);
        engine_settings s;
        read_engine_settings(options, s);
        if (!options.finish()) return nullptr;
        return std::make_unique<Self>(host, std::move(s));
    }

    engine_provider(sdk::host host, engine_settings s) : host_(host), settings_(std::move(s)) {}
    engine_provider(const engine_provider&) = delete;
    engine_provider& operator=(const engine_provider&) = delete;
    ~engine_provider() { stop(); }

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

protected:
    void log(sdk::log_level level, const std::string& message) { host_.log(level, message); }

    // The session has read everything: say so once per outage.
    void connected() {
        backoff_ = first_backoff;  // the next outage starts over
        if (outage_) log(sdk::log_level::info, settings_.endpoint + " reachable again (API " + api_.substr(2) + ")");
        else log(sdk::log_level::info, "watching " + settings_.endpoint + " (API " + api_.substr(2) + ")");
        outage_ = false;
    }

    // Publishes the document these containers make, when it differs from the last one;
    // its warnings, after the provider's own, are logged once each.
    void publish(std::vector<container> containers, std::vector<std::string> warnings = {}) {
        auto doc = build_document(std::move(containers), settings_.labels);
        warnings.insert(warnings.end(), doc.warnings.begin(), doc.warnings.end());
        for (const auto& w : warnings)
            if (warned_.insert(w).second) log(sdk::log_level::warn, w);
        if (warned_.size() > 1000) warned_.clear();  // bounded; repeats may be logged again
        if (doc.toml == last_) return;
        last_ = doc.toml;
        sink_.publish(last_);
    }

    // The networks of the container this process runs in come first when picking an address.
    template <class Link>
    net::awaitable<void> find_own_networks(Link& link) {
        settings_.labels.own_networks.clear();
        const std::string id = own_container_id();
        if (id.empty()) co_return;
        const auto reply = co_await link.get(api_ + "/containers/" + id + "/json");
        if (reply.first == 200) settings_.labels.own_networks = inspected_network_names(reply.second);
    }

    net::io_context ioc_{1};
    std::string api_;  // "/v1.41": the API version of the session under way
    sdk::host host_;  // views: copies stay valid for the provider's life (the sink until stop returns)
    engine_settings settings_;

private:
    static constexpr std::chrono::milliseconds first_backoff{100}, longest_backoff{5000};

    net::awaitable<void> run() {
        for (;;) {
            std::string error;
            bool refused = false;
            try {
                co_await connect_and_run();
            } catch (const engine_refusal& e) {
                error = e.what();
                refused = true;
            } catch (const std::exception& e) {
                error = e.what();
            }
            if (stopping_) co_return;
            // One message per outage, not per retry; the last known backends keep serving.
            if (!outage_) {
                log(sdk::log_level::warn, settings_.endpoint + (refused ? ": " + error : " unreachable (" + error + ")") +
                                              "; serving the last known backends and retrying");
                outage_ = true;
            }
            net::steady_timer timer(ioc_, backoff_);
            co_await timer.async_wait(nothrow);
            backoff_ = std::min(backoff_ * 2, longest_backoff);
        }
    }

    // Agrees on the API version (the lower of the newest this provider speaks and the
    // daemon's), then runs the provider's session. (Replies are kept whole, not
    // destructured: GCC 12 mishandles structured bindings of non-trivial types across
    // suspension points.)
    template <class Link>
    net::awaitable<void> run_session(Link& link) {
        const auto version_reply = co_await link.get("/version");
        if (version_reply.first != 200)
            throw engine_error("GET /version answered " + std::to_string(version_reply.first));
        api_ = negotiate(version_reply.second);
        co_await static_cast<Self&>(*this).session(link);
    }

    net::awaitable<void> connect_and_run() {
        const std::string& endpoint = settings_.endpoint;
        if (endpoint.starts_with("unix://")) {
            engine_link link(ioc_, plain_transport<net::local::stream_protocol>(
                                       net::local::stream_protocol::endpoint(endpoint.substr(7))));
            co_await run_session(link);
            co_return;
        }
        const std::string address = endpoint.substr(6);
        const auto colon = address.rfind(':');
        std::string host = address.substr(0, colon);
        if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
        net::ip::tcp::resolver resolver(ioc_);
        const auto resolved = co_await resolver.async_resolve(host, address.substr(colon + 1), nothrow);
        const auto& [rec, results] = resolved;
        if (rec || results.empty()) throw engine_error("cannot resolve " + address + ": " + rec.message());
        if (settings_.tls) {
            engine_link link(ioc_, tls_transport(*results.begin(), host, settings_.tls, settings_.verify_host));
            co_await run_session(link);
        } else {
            engine_link link(ioc_, plain_transport<net::ip::tcp>(*results.begin()));
            co_await run_session(link);
        }
    }

    sdk::document_sink sink_;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    bool outage_ = false;
    std::chrono::milliseconds backoff_ = first_backoff;
    std::set<std::string> warned_;
    std::string last_;
};

// "%7B..." for a query string.
std::string url_encode(std::string_view s);

}  // namespace sluice::docker
