// Keep-alive connections to upstream servers, one pool per worker (no locks).
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/static_config.hpp"
#include "http/chunk_pool.hpp"
#include "http/tcp_connection.hpp"
#include "runtime/snapshot.hpp"

namespace sluice::http {

namespace net = boost::asio;

struct upstream_connection {
    upstream_connection(const tcp_connection::executor_type& ex, chunk_pool& chunks)
        : stream(ex), buffer(chunk_allocator<char>(&chunks)) {}
    tcp_connection stream;
    read_buffer buffer;  // a block of the worker's chunk_pool while in use; none while pooled
    std::string key;
    bool reused = false;  // came from the pool: a failure before any response byte may be a stale close
    std::chrono::steady_clock::time_point idle_since;
};

enum class dial_error { none, refused, timed_out };

// Which pooled connection a request may take.
enum class reuse {
    recent,   // one back from its last exchange moments ago, unchecked (the request can be resent)
    checked,  // only one the kernel says is open and quiet (the request cannot be resent)
    none,     // a fresh one (a pooled one just failed)
};

class upstream_pool {
public:
    upstream_pool(net::io_context& ioc, const config::forwarding_config& cfg, chunk_pool& chunks);

    // An idle connection to the endpoint, or a new one. On failure, `error` says why.
    net::awaitable<std::unique_ptr<upstream_connection>> acquire(const runtime::upstream_endpoint& endpoint,
                                                                dial_error& error, reuse which);
    // Hands back a connection whose last exchange completed cleanly (nothing left unread);
    // its read buffer goes back to the worker's chunk_pool.
    void release(std::unique_ptr<upstream_connection> connection);
    // Closes connections idle for longer than idleConnTimeout; called periodically.
    void sweep();
    void clear() { idle_.clear(); }

private:
    net::io_context& ioc_;
    const config::forwarding_config& cfg_;
    chunk_pool& chunks_;
    std::unordered_map<std::string, std::deque<std::unique_ptr<upstream_connection>>> idle_;
};

}  // namespace sluice::http
