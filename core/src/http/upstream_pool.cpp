#include "http/upstream_pool.hpp"

#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sluice::http {

namespace {
constexpr auto nothrow = net::as_tuple(net::use_awaitable);

// Servers keep idle connections open for seconds: one back from its last exchange for less
// than this is taken without asking the kernel (a system call per request saved), by a
// request that can be sent again: one the server closed all the same fails before any
// response byte, and upstream_call sends the request again on a fresh connection.
constexpr std::chrono::milliseconds trusted_idle{500};

// A pooled connection is usable when the peer has neither closed it nor sent anything
// unsolicited while it sat idle.
bool usable(upstream_connection& c, std::chrono::steady_clock::time_point now, reuse which) {
    if (c.buffer.size() > 0) return false;
    if (which == reuse::recent && now - c.idle_since < trusted_idle) return true;
    char byte;
    const ssize_t n = ::recv(c.stream.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}
}  // namespace

upstream_pool::upstream_pool(net::io_context& ioc, const config::forwarding_config& cfg, chunk_pool& chunks)
    : ioc_(ioc), cfg_(cfg), chunks_(chunks) {}

net::awaitable<std::unique_ptr<upstream_connection>> upstream_pool::acquire(const runtime::upstream_endpoint& endpoint,
                                                                           dial_error& error, reuse which) {
    error = dial_error::none;
    if (which != reuse::none) {
        if (auto it = idle_.find(endpoint.key); it != idle_.end()) {
            auto& list = it->second;
            const auto now = std::chrono::steady_clock::now();
            while (!list.empty()) {
                auto c = std::move(list.back());
                list.pop_back();
                if (now - c->idle_since < cfg_.idle_conn_timeout && usable(*c, now, which)) {
                    c->reused = true;
                    c->buffer.reserve(relay_chunk);
                    co_return c;
                }
            }
        }
    }
    auto c = std::make_unique<upstream_connection>(ioc_.get_executor(), chunks_);
    c->key = endpoint.key;
    // A block of the worker's pool to read into: 16 KiB per system call, as the client side
    // (an empty flat_buffer would read 512 bytes at a time). Bigger reads would save system
    // calls on big bodies at the price of memory per request in flight.
    c->buffer.reserve(relay_chunk);
    boost::system::error_code ec;
    const auto address = net::ip::make_address(endpoint.host, ec);
    const auto within = c->stream.writing_within(cfg_.dial_timeout);
    if (!ec) {
        auto [connect_ec] =
            co_await c->stream.socket().async_connect(net::ip::tcp::endpoint(address, endpoint.port), nothrow);
        ec = connect_ec;
    } else {
        net::ip::tcp::resolver resolver(ioc_);
        // Kept whole: GCC 12 mishandles structured bindings of non-trivial types in coroutines.
        const auto resolved = co_await resolver.async_resolve(endpoint.host, std::to_string(endpoint.port), nothrow);
        const auto& [resolve_ec, results] = resolved;
        ec = resolve_ec;
        if (!ec) {
            auto [connect_ec, ep] = co_await net::async_connect(c->stream.socket(), results, nothrow);
            ec = connect_ec;
        }
    }
    if (ec) {
        error = within.timed_out() ? dial_error::timed_out : dial_error::refused;
        co_return nullptr;
    }
    c->stream.socket().set_option(net::ip::tcp::no_delay(true), ec);
    co_return c;
}

void upstream_pool::release(std::unique_ptr<upstream_connection> connection) {
    if (cfg_.max_idle_per_host == 0) return;
    auto& list = idle_[connection->key];
    connection->idle_since = std::chrono::steady_clock::now();
    connection->buffer.shrink_to_fit();  // empty: its block goes back to the worker's pool
    // Bounded: the oldest idle connection gives way.
    if (list.size() >= cfg_.max_idle_per_host) list.pop_front();
    list.push_back(std::move(connection));
}

void upstream_pool::sweep() {
    const auto now = std::chrono::steady_clock::now();
    for (auto it = idle_.begin(); it != idle_.end();) {
        auto& list = it->second;
        while (!list.empty() && now - list.front()->idle_since >= cfg_.idle_conn_timeout) list.pop_front();
        it = list.empty() ? idle_.erase(it) : std::next(it);
    }
}

}  // namespace sluice::http
