// What every room of the data path shares about one client connection: the stream, the
// bytes read ahead of the parser, who the peer is, and the worker it runs on.
//
// `Stream` is the client's byte stream: a tcp_connection today; a TLS stream over it later.
// The rooms reach the TCP connection under it with beast::get_lowest_layer, so they are the
// same code for both.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/intrusive/list.hpp>

#include "config/static_config.hpp"
#include "http/chunk_pool.hpp"
#include "http/relay.hpp"
#include "http/tcp_connection.hpp"

namespace sluice::http {

struct worker;

// A client connection as the worker sees it, so that draining can close idle ones and
// shutting down can cancel the rest.
struct session_handle {
    tcp_connection* client = nullptr;
    tcp_connection* upstream = nullptr;  // the connection of the call in progress, if any
    bool idle = true;                       // waiting for the next request head
    bool cancelled = false;                 // the worker is ending it: no failure is anyone's fault
    // In the worker's list of open sessions (linked in place: opening a connection allocates
    // nothing for it, and closing one leaves no hole in the heap).
    boost::intrusive::list_member_hook<> in_worker;

    // Ends whatever the session awaits: every pending and later operation on its sockets
    // fails at once. (A cancellation slot bound to the coroutine would do the same at a cost
    // on every operation of every request.)
    void cancel() noexcept;
};

using session_list =
    boost::intrusive::list<session_handle,
                           boost::intrusive::member_hook<session_handle, boost::intrusive::list_member_hook<>,
                                                         &session_handle::in_worker>,
                           boost::intrusive::constant_time_size<false>>;

template <class Stream>
struct client_connection {
    client_connection(worker& w, const config::entry_point_config& ep, Stream s, chunk_pool& chunks)
        : w(w), ep(ep), stream(std::move(s)), buffer(chunk_allocator<char>(&chunks)) {}

    worker& w;
    const config::entry_point_config& ep;
    Stream stream;
    read_buffer buffer;  // bytes read but not yet parsed; its block is the worker's, released while idle
    std::string ip;             // the peer's address (IPv4-mapped IPv6 shown as IPv4)
    bool trusted = false;       // a trusted proxy: its X-Forwarded-* values are kept
    std::uint64_t served = 0;   // requests read on this connection, for the access log
    session_handle handle;      // what the worker sees of this connection

    tcp_connection& connection() noexcept { return beast::get_lowest_layer(stream); }
    auto& socket() noexcept { return connection().socket(); }
    // Every write to the client gets the entry point's write timeout.
    [[nodiscard]] tcp_connection::deadline writing() { return connection().writing_within(ep.write_timeout); }
};

}  // namespace sluice::http
