#include "http/relay.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace sluice::http {

namespace {
using namespace boost::asio::experimental::awaitable_operators;
constexpr auto nothrow = net::as_tuple(net::use_awaitable);
}  // namespace

// Beast's chunked parser waits for CRLF forever on a line ending in a bare LF (a hostile
// client's way to hold a connection); a framing line the parser left unconsumed must never
// hold one.
bool has_bare_lf(std::string_view bytes) noexcept {
    for (std::size_t at = bytes.find('\n'); at != std::string_view::npos; at = bytes.find('\n', at + 1))
        if (at == 0 || bytes[at - 1] != '\r') return true;
    return false;
}

void body_copy::add(std::span<const net::const_buffer> pieces) {
    if (over) return;
    for (const auto& piece : pieces) {
        if (piece.size() > limit - bytes.size()) {
            over = true;
            std::string().swap(bytes);
            return;
        }
        bytes.append(static_cast<const char*>(piece.data()), piece.size());
    }
}

// The parser finds the body's pieces in the read buffer (view_body: no copy), the framing
// writes them from there, and only then is the buffer read into again. Bytes are read here
// and handed to the parser, so that a framing line the parser cannot finish is seen at once
// instead of after the read timeout.
template <bool isRequest, class From, class To>
net::awaitable<relay_status> relay_body(From& from, read_buffer& from_buffer,
                                        body_parser<isRequest>& p, To& to,
                                        body_framing& framing, std::chrono::milliseconds read_timeout,
                                        std::chrono::milliseconds write_timeout, std::uint64_t& bytes,
                                        body_copy* copy, const first_bytes_hook* first) {
    auto& pieces = p.get().body();
    p.eager(true);
    while (!p.is_done()) {
        pieces.clear();
        // Parse what is buffered; read more only when the parser needs more to make progress.
        // Consuming leaves the bytes where they are: the pieces stay valid until the next read.
        for (;;) {
            boost::system::error_code ec;
            if (from_buffer.size() > 0) {
                from_buffer.consume(p.put(from_buffer.data(), ec));
                if (ec == bhttp::error::need_buffer) break;  // as many pieces as one write takes
                if (ec && ec != bhttp::error::need_more) co_return relay_status::malformed;
                if (p.is_done() || !pieces.empty()) break;
                // Unconsumed framing bytes with a complete but unparsable line: bare LF.
                const std::string_view rest(static_cast<const char*>(from_buffer.data().data()), from_buffer.size());
                if (has_bare_lf(rest)) co_return relay_status::malformed;
            }
            if (from_buffer.size() >= from_buffer.max_size()) co_return relay_status::malformed;
            // As much as the buffer holds without growing (its 16 KiB block of the worker's
            // pool), unless that is little: then it grows.
            const std::size_t free = from_buffer.capacity() - from_buffer.size();
            const std::size_t room =
                std::min(free >= 4096 ? free : relay_chunk, from_buffer.max_size() - from_buffer.size());
            const auto within = beast::get_lowest_layer(from).reading_within(read_timeout);
            auto [rec, rn] = co_await from.async_read_some(from_buffer.prepare(room), nothrow);
            from_buffer.commit(rn);
            if (rec == net::error::eof) {
                p.put_eof(ec);
                if (ec) co_return relay_status::read_failed;
                break;
            }
            if (rec) co_return relay_status::read_failed;
        }
        const std::size_t got = net::buffer_size(pieces);
        // Nothing to write yet (a chunk header alone); the last, empty piece ends a chunked body.
        if (got == 0 && !p.is_done()) continue;
        // Copied first: the copy holds what the client sent, whether or not the receiver takes it.
        if (copy) copy->add(pieces);
        if (first && got > 0) std::exchange(first, nullptr)->operator()(pieces);
        const auto buffers = framing.frame(pieces, p.is_done());
        if (!buffers.empty()) {
            const auto within = beast::get_lowest_layer(to).writing_within(write_timeout);
            auto [wec, wn] = to.send_now(buffers);
            if (!wec && wn < net::buffer_size(buffers)) std::tie(wec, wn) = co_await to.send_rest(buffers, wn);
            if (wec) co_return relay_status::write_failed;
        }
        bytes += got;
    }
    co_return relay_status::done;
}

template net::awaitable<relay_status> relay_body(tcp_connection&, read_buffer&,
                                                 request_parser&, tcp_connection&,
                                                 body_framing&,
                                                 std::chrono::milliseconds, std::chrono::milliseconds,
                                                 std::uint64_t&, body_copy*, const first_bytes_hook*);
template net::awaitable<relay_status> relay_body(tcp_connection&, read_buffer&,
                                                 response_parser&, tcp_connection&,
                                                 body_framing&,
                                                 std::chrono::milliseconds, std::chrono::milliseconds,
                                                 std::uint64_t&, body_copy*, const first_bytes_hook*);

template <class Client>
net::awaitable<void> run_tunnel(Client& client, read_buffer& client_buffer, tcp_connection& upstream,
                                read_buffer& upstream_buffer, std::chrono::milliseconds idle_timeout) {
    // The pumps move raw socket bytes (a stream under TLS will pump through the stream).
    auto& a = beast::get_lowest_layer(client).socket();
    auto& b = upstream.socket();
    auto last = std::chrono::steady_clock::now();
    // Bytes that arrived with the heads belong to the tunnel.
    if (client_buffer.size() > 0) {
        auto [ec, n] = co_await net::async_write(b, client_buffer.data(), nothrow);
        if (ec) co_return;
        client_buffer.consume(n);
    }
    if (upstream_buffer.size() > 0) {
        auto [ec, n] = co_await net::async_write(a, upstream_buffer.data(), nothrow);
        if (ec) co_return;
        upstream_buffer.consume(n);
    }
    auto pump = [&last](tcp_connection::socket_type& from, tcp_connection::socket_type& to) -> net::awaitable<void> {
        std::array<char, relay_chunk> data;
        for (;;) {
            auto [rec, n] = co_await from.async_read_some(net::buffer(data), nothrow);
            if (rec) break;
            auto [wec, wn] = co_await net::async_write(to, net::buffer(data.data(), n), nothrow);
            if (wec) break;
            last = std::chrono::steady_clock::now();
        }
    };
    auto watchdog = [&last, &a, idle_timeout]() -> net::awaitable<void> {
        net::steady_timer timer(a.get_executor());
        for (;;) {
            timer.expires_at(last + idle_timeout);
            co_await timer.async_wait(nothrow);
            if (std::chrono::steady_clock::now() - last >= idle_timeout) co_return;
        }
    };
    co_await (pump(a, b) || pump(b, a) || watchdog());
}

template net::awaitable<void> run_tunnel(tcp_connection&, read_buffer&, tcp_connection&,
                                         read_buffer&, std::chrono::milliseconds);

}  // namespace sluice::http
