// Worker threads, one io_context each, each with its own SO_REUSEPORT acceptor per entry
// point and its own upstream pool.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/static_config.hpp"
#include "http/chunk_pool.hpp"
#include "http/client_connection.hpp"
#include "http/metrics.hpp"
#include "http/upstream_pool.hpp"
#include "log/access_log.hpp"
#include "runtime/snapshot_store.hpp"

namespace sluice::http {

struct server_context {
    const config::static_config& cfg;
    runtime::snapshot_store& store;
    log::access_log* access_log = nullptr;  // null: access log off
    std::string hostname;
    net::io_context* control = nullptr;     // the control thread, for work that outlives a request
};

struct worker {
    explicit worker(const server_context& context);

    const server_context& ctx;
    // Declared before the io_context: a session still open when the io_context is destroyed
    // unregisters itself from these, and returns what it borrowed, as its coroutine frame goes.
    session_list sessions;
    chunk_pool chunks;  // relay chunks, lent to connections while they relay a body
    metrics_shard metrics;
    bool draining = false;
    std::size_t mirror_copies = 0;  // request copies being sent to mirrors (mirror.hpp)
    // Set by drain() and terminate(): runs once, when the last connection of this worker has ended.
    std::function<void()> on_drained;

    // One thread runs it. (BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO would spare the reactor's
    // lock per operation, about 300 instructions per request, but costs two more system
    // calls per request at concurrency 1: measured, not understood, not taken.)
    net::io_context ioc{1};
    upstream_pool pool;
    runtime::snapshot_cache snapshots;
    std::vector<std::pair<std::unique_ptr<net::ip::tcp::acceptor>, const config::entry_point_config*>> acceptors;
    net::steady_timer sweep_timer;
    net::steady_timer terminate_timer;
    std::thread thread;

    // Sessions (and mirror copies) call it as they end; while draining, the last one reports
    // the worker idle.
    void session_ended() {
        if (draining && sessions.empty() && mirror_copies == 0 && on_drained) std::exchange(on_drained, nullptr)();
    }
    // Stops accepting, closes idle upstream connections and, with `cancel_busy`, cancels
    // every session (not only the idle ones). Runs on the worker's thread.
    void stop_serving(bool cancel_busy);
    // Ends every session by cancellation and then the worker's io_context.
    void terminate();
};

// Logs what escaped a connection's coroutine (cancellation by shutdown is not an error).
void log_escaped(std::exception_ptr e);

class proxy_server {
public:
    proxy_server(const server_context& context, std::size_t workers);
    ~proxy_server();

    // Binds every entry point in every worker; throws std::runtime_error naming the address.
    // Returns the bound address per entry point (port 0 resolved).
    std::vector<std::pair<std::string, std::string>> listen();
    void start();
    // Stops accepting and closes idle connections; in-flight requests finish. `on_idle`
    // runs (on a worker thread) once every worker has no connection left.
    void drain(std::function<void()> on_idle);
    // Cancels the sessions still running, lets them unwind, and joins the threads.
    void stop();

    struct metrics_snapshot {
        metrics_shard::map requests;
        std::int64_t open_connections = 0;
    };
    // Every worker's metrics, copied on its own thread and summed (await from any executor).
    net::awaitable<metrics_snapshot> collect_metrics();

private:
    const server_context& ctx_;
    std::vector<std::unique_ptr<worker>> workers_;
};

}  // namespace sluice::http
