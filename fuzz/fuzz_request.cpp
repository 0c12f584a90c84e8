// Hostile client bytes through the request-head path of a proxy session: Beast's header
// parser with the session's limits, its smuggling checks, the forwarding rewrite and the
// routing inputs; then Beast's body parser over the same bytes (chunked framing).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>

#include <spdlog/spdlog.h>

#include "config/config_error.hpp"
#include "config/static_config.hpp"
#include "http/exchange.hpp"
#include "http/forwarding.hpp"
#include "http/request_target.hpp"
#include "http/wire.hpp"
#include "runtime/rule.hpp"

namespace {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using sluice::config::iequals;

const sluice::config::entry_point_config limits;  // the defaults a session runs with

[[noreturn]] void finding(const char* what) {
    std::fprintf(stderr, "finding: %s\n", what);
    std::abort();
}

// The client closed the connection: Beast's read tells the parser only after some bytes.
template <class Parser>
boost::system::error_code close(Parser& p) {
    boost::system::error_code ec = bhttp::error::end_of_stream;
    if (p.got_some()) p.put_eof(ec);
    return ec;
}

// Feeds `bytes` as a socket would deliver them (a window growing by `step`): Beast parses
// what is buffered, and the caller keeps what it did not consume. Stops at the end of the
// header or the message, at an error, or when the bytes run out.
template <class Parser, class Refill>
boost::system::error_code feed(Parser& p, std::string_view bytes, std::size_t step, bool whole_message,
                               Refill refill) {
    boost::system::error_code ec;
    std::size_t used = 0, have = std::min(step, bytes.size());
    // Each round consumes a byte, receives one, or empties the body buffer (after consuming).
    for (std::size_t rounds = 0; rounds < 3 * bytes.size() + 8; ++rounds) {
        refill(p);
        const std::size_t n = p.put(net::buffer(bytes.data() + used, have - used), ec);
        used += n;
        // Beast answers an empty buffer with success: that too means "read more".
        if (!ec && n == 0 && used == have) ec = bhttp::error::need_more;
        if (ec == bhttp::error::need_buffer) ec = {};
        else if (ec == bhttp::error::need_more) {
            if (have == bytes.size()) return close(p);
            have = std::min(have + step, bytes.size());
            ec = {};
        } else if (ec) {
            return ec;
        }
        if (whole_message ? p.is_done() : p.is_header_done()) return ec;
    }
    finding("the parser made no progress");
}

bool has_h2c(const sluice::http::fields& f) {
    for (auto it = f.find(bhttp::field::upgrade); it != f.end() && it->name() == bhttp::field::upgrade; ++it)
        if (sluice::http::has_token(it->value(), "h2c")) return true;
    return false;
}

void check_head_path(std::string_view bytes, bool trusted) {
    sluice::http::request_parser parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    if (feed(parser, bytes, bytes.size(), false, [](auto&) {})) return;
    if (!parser.is_header_done() || sluice::http::check_head(parser, limits.max_header_count)) return;
    auto& req = parser.get();

    // The session's order: facts, target, hop-by-hop removal, then the proxy's own fields.
    const bool upgrade = sluice::http::wants_upgrade(req);
    const bool websocket = upgrade && iequals(req[bhttp::field::upgrade], "websocket");
    sluice::http::request_target rt;
    const bool parsed = sluice::http::parse_request_target(req.target(), rt);
    const bool routable = parsed && (rt.form == sluice::http::target_form::origin ||
                                     rt.form == sluice::http::target_form::absolute);
    if (routable) {
        // Normalisation is a fixed point: the forwarded target parses to itself.
        sluice::http::request_target again;
        if (!sluice::http::parse_request_target(rt.forward_target, again) ||
            again.forward_target != rt.forward_target || again.routing_path != rt.routing_path)
            finding("the forwarded target does not normalise to itself");
        if (rt.routing_path.find('?') != std::string::npos) finding("a query character in the routing path");
        if (!rt.authority.empty()) req.set(bhttp::field::host, rt.authority);
        req.target(rt.forward_target);
    }
    const bool chunked = parser.chunked();
    sluice::http::strip_hop_by_hop(req, upgrade);
    sluice::http::set_forwarded_headers(req, {"192.0.2.7", trusted, websocket, "proxy.local"});
    if (req.count("X-Forwarded-Server") != 1 || req["X-Forwarded-Server"] != "proxy.local")
        finding("X-Forwarded-Server is not the proxy's");
    if (!trusted && req["X-Forwarded-For"] != "192.0.2.7") finding("an untrusted X-Forwarded-For survived");
    if (req.count("X-Forwarded-For") != 1) finding("X-Forwarded-For is not one field");
    if (!trusted && req.find("Forwarded") != req.end()) finding("an untrusted Forwarded survived");

    const std::string host = sluice::runtime::canonical_host(req[bhttp::field::host]);
    for (char c : host)
        if (c >= 'A' && c <= 'Z') finding("upper case in a canonical host");
    if (!routable) return;  // answered 400 (or 200/501 for OPTIONS * and CONNECT)

    // prepare_upstream_head's rewrite.
    req.erase(bhttp::field::expect);
    if (chunked) req.chunked(true);
    req.version(11);
    for (auto f : {bhttp::field::keep_alive, bhttp::field::proxy_connection, bhttp::field::te, bhttp::field::trailer})
        if (req.find(f) != req.end()) finding("a hop-by-hop field survived");
    if (req.find("HTTP2-Settings") != req.end()) finding("HTTP2-Settings survived");
    if (upgrade ? req[bhttp::field::connection] != "upgrade" : req.find(bhttp::field::connection) != req.end())
        finding("Connection is not what the upgrade decision says");
    if (!upgrade && req.find(bhttp::field::upgrade) != req.end()) finding("Upgrade survived without an upgrade");
    if (upgrade && has_h2c(req)) finding("an h2c upgrade is forwarded");
    if (chunked != (req.count(bhttp::field::transfer_encoding) == 1)) finding("chunked framing lost");

    // The head the upstream receives must parse as the same request (no smuggling through
    // the rewrite: one Host, one framing, the same method and target).
    sluice::http::head_text written;
    sluice::http::write_head(written, req);
    const std::string head(written.data(), written.size());
    bhttp::request_parser<bhttp::empty_body> upstream;
    upstream.header_limit(std::numeric_limits<std::uint32_t>::max());
    upstream.body_limit(std::numeric_limits<std::uint64_t>::max());  // the length is the client's
    boost::system::error_code ec;
    upstream.put(net::buffer(head), ec);
    if (ec || !upstream.is_header_done()) {
        std::fprintf(stderr, "upstream head: %s\n%s\n", ec.message().c_str(), head.c_str());
        finding("the rewritten head does not parse");
    }
    const auto& up = upstream.get();
    if (up.method_string() != req.method_string() || up.target() != req.target())
        finding("the upstream sees another request line");
    if (up.count(bhttp::field::host) != req.count(bhttp::field::host) ||
        up.count(bhttp::field::content_length) > 1 || upstream.chunked() != chunked ||
        (upstream.chunked() && up.count(bhttp::field::content_length) > 0))
        finding("the upstream sees other framing or hosts");
}

// The whole message through a small body buffer, fed in pieces as a slow client would send it.
void check_body_path(std::string_view bytes, std::size_t step) {
    sluice::http::request_parser parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    parser.eager(true);
    std::uint64_t body_bytes = 0;
    // The pieces are views into the bytes received, written out and cleared after each put.
    auto refill = [&](auto& p) {
        auto& pieces = p.get().body();
        for (const auto& piece : pieces) {
            const char* at = static_cast<const char*>(piece.data());
            if (at < bytes.data() || at + piece.size() > bytes.data() + bytes.size())
                finding("a body piece outside the bytes received");
            body_bytes += piece.size();
        }
        pieces.clear();
    };
    const auto ec = feed(parser, bytes, step, true, refill);
    refill(parser);
    if (ec || !parser.is_done()) return;
    if (body_bytes > bytes.size()) finding("more body than bytes received");
    if (auto length = parser.content_length(); length && !parser.chunked() && *length != body_bytes)
        finding("a Content-Length body of another size");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    spdlog::set_level(spdlog::level::off);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    check_head_path(bytes, size % 2 == 1);
    check_body_path(bytes, 1 + size % 17);
    return 0;
}
