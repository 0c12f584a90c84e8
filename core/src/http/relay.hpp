// The relay room: message bodies streamed from one peer to the other through a fixed
// buffer, and granted Upgrades turned into byte tunnels.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/stream_traits.hpp>

#include "http/chunk_pool.hpp"
#include "http/messages.hpp"
#include "http/tcp_connection.hpp"
#include "http/wire.hpp"

namespace sluice::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

enum class relay_status {
    done,
    read_failed,   // the sender broke off, or did not send in time
    write_failed,  // the receiver broke off, or did not read in time
    malformed,     // the body's framing is wrong (a bare LF in a chunked line included)
};

// A copy of a body taken as it is relayed (for mirrors), up to `limit` bytes: a longer body
// is not copied (`over`, and what was copied is dropped).
struct body_copy {
    std::string bytes;
    std::uint64_t limit = std::numeric_limits<std::uint64_t>::max();
    bool over = false;

    void add(std::span<const net::const_buffer> pieces);
};

// Called once with a body's first bytes, before they are framed: the head the framing still
// holds back may change then (body_framing::replace_head).
using first_bytes_hook = std::function<void(std::span<const net::const_buffer> pieces)>;

// True when `bytes` hold a line feed not preceded by a carriage return.
bool has_bare_lf(std::string_view bytes) noexcept;

// Streams the body that `p` has the head of from `from` to `to`, framed by `framing` (which
// may hold the head, to go with the first bytes), straight from `from_buffer`: bytes already
// in it go first. Adds the body bytes written to `bytes`, and to `copy` when given. `From` and
// `To` are byte streams over a tcp_connection (the client's, or an upstream connection's).
template <bool isRequest, class From, class To>
net::awaitable<relay_status> relay_body(From& from, read_buffer& from_buffer,
                                        body_parser<isRequest>& p, To& to,
                                        body_framing& framing,
                                        std::chrono::milliseconds read_timeout,
                                        std::chrono::milliseconds write_timeout, std::uint64_t& bytes,
                                        body_copy* copy = nullptr, const first_bytes_hook* first = nullptr);

// A granted Upgrade: bytes flow both ways until either side closes or both are quiet for
// `idle_timeout`. Bytes that arrived with the heads (in the buffers) go first.
template <class Client>
net::awaitable<void> run_tunnel(Client& client, read_buffer& client_buffer, tcp_connection& upstream,
                                read_buffer& upstream_buffer, std::chrono::milliseconds idle_timeout);

}  // namespace sluice::http
