// The API entry point: /ping, the REST API over the current snapshot, Prometheus /metrics
// and the dashboard. Runs on the control thread, where the snapshot, health verdicts and
// reload statistics are owned; worker metrics are copied on each worker's own thread.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "config/static_config.hpp"
#include "control/configuration_watcher.hpp"
#include "http/server.hpp"
#include "plugin/plugin_registry.hpp"
#include "runtime/snapshot_store.hpp"

namespace sluice::api {

struct api_context {
    const config::static_config& cfg;
    runtime::snapshot_store& store;
    const control::configuration_watcher& watcher;  // reload statistics
    http::proxy_server& proxy;
    const plugin::plugin_registry& plugins;
    const plugin::plugin_services& plugin_services;
    std::string version;
};

// "/api, /dashboard, /ping, /metrics": what `api` serves, for the log.
std::string served_paths(const config::api_config& api);

class api_server {
public:
    api_server(boost::asio::io_context& control, api_context ctx);
    // Binds; throws std::runtime_error naming the address. Returns the bound address.
    std::string listen(const config::listen_address& address);
    void start();
    void set_draining() noexcept { draining_ = true; }
    void stop();

private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket);

    boost::asio::io_context& control_;
    api_context ctx_;
    boost::asio::ip::tcp::acceptor acceptor_;
    bool draining_ = false;
};

}  // namespace sluice::api
