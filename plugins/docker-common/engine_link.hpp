// A connection to the Docker Engine API, shared by the docker and swarm providers: requests
// and the event stream over a unix socket, TCP or TCP with TLS (Asio and Beast, for the
// providers' coroutines), and the API version agreed with the daemon. Each provider reads the Engine's
// JSON answers in plain functions of its own, outside coroutine frames.
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace sluice::docker {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
inline constexpr auto nothrow = net::as_tuple(net::use_awaitable);

// The Engine or the connection to it failed; the provider logs it and reconnects.
struct engine_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The Engine answers but cannot serve the provider (an API too old, a daemon that is not a
// swarm manager): logged as what it is, not as an outage, and retried all the same.
struct engine_refusal : engine_error {
    using engine_error::engine_error;
};

// How a link reaches the Engine: a unix socket or plain TCP...
template <class Protocol>
class plain_transport {
public:
    using stream_type = beast::basic_stream<Protocol>;

    explicit plain_transport(typename Protocol::endpoint endpoint) : endpoint_(endpoint) {}

    // A stream connected within `timeout` (which stays armed for what follows).
    net::awaitable<std::unique_ptr<stream_type>> connect(net::io_context& ioc, std::chrono::seconds timeout) {
        auto stream = std::make_unique<stream_type>(ioc);
        stream->expires_after(timeout);
        auto [ec] = co_await stream->async_connect(endpoint_, nothrow);
        if (ec) throw engine_error("cannot connect: " + ec.message());
        co_return stream;
    }

private:
    typename Protocol::endpoint endpoint_;
};

// ...or TCP with TLS: the daemon's certificate checked against `ssl` (its CA and the
// host name, unless insecureSkipVerify), the client's certificate presented when set.
class tls_transport {
public:
    using stream_type = beast::ssl_stream<beast::tcp_stream>;

    // `verify`: check the daemon's certificate names `host` (off with insecureSkipVerify).
    tls_transport(net::ip::tcp::endpoint endpoint, std::string host, std::shared_ptr<net::ssl::context> ssl,
                  bool verify)
        : endpoint_(endpoint), host_(std::move(host)), ssl_(std::move(ssl)), verify_(verify) {}

    net::awaitable<std::unique_ptr<stream_type>> connect(net::io_context& ioc, std::chrono::seconds timeout) {
        auto stream = std::make_unique<stream_type>(ioc, *ssl_);
        beast::get_lowest_layer(*stream).expires_after(timeout);
        auto [ec] = co_await beast::get_lowest_layer(*stream).async_connect(endpoint_, nothrow);
        if (ec) throw engine_error("cannot connect: " + ec.message());
        boost::system::error_code not_ip;
        net::ip::make_address(host_, not_ip);
        if (not_ip && !SSL_set_tlsext_host_name(stream->native_handle(), host_.c_str()))  // SNI names hosts only
            throw engine_error("cannot set the TLS server name " + host_);
        if (verify_) stream->set_verify_callback(net::ssl::host_name_verification(host_));
        auto [hec] = co_await stream->async_handshake(net::ssl::stream_base::client, nothrow);
        if (hec) throw engine_error("TLS handshake failed: " + hec.message());
        co_return stream;
    }

private:
    net::ip::tcp::endpoint endpoint_;
    std::string host_;
    std::shared_ptr<net::ssl::context> ssl_;
    bool verify_;
};

// One connection to the Engine over `Transport`, with Beast's timeouts: requests, each on a
// connection of its own, and the event stream.
template <class Transport>
class engine_link {
public:
    using stream_type = typename Transport::stream_type;

    engine_link(net::io_context& ioc, Transport transport) : ioc_(ioc), transport_(std::move(transport)) {}

    // GET target; returns status and body. Throws engine_error on a transport failure.
    net::awaitable<std::pair<unsigned, std::string>> get(std::string target) {
        std::unique_ptr<stream_type> stream = co_await transport_.connect(ioc_, std::chrono::seconds(10));
        bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
        req.set(bhttp::field::host, "docker");  // the Engine requires one, any value
        req.set(bhttp::field::user_agent, "sluice-docker-provider");
        auto [wec, wn] = co_await bhttp::async_write(*stream, req, nothrow);
        if (wec) throw engine_error("request failed: " + wec.message());
        beast::flat_buffer buffer;
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        auto [rec, rn] = co_await bhttp::async_read(*stream, buffer, parser, nothrow);
        if (rec) throw engine_error("reading the answer failed: " + rec.message());
        co_return std::make_pair(parser.get().result_int(), std::move(parser.get().body()));
    }

    // Opens the event stream; returns once the Engine accepted it.
    net::awaitable<void> open_events(std::string target) {
        events_ = co_await transport_.connect(ioc_, std::chrono::seconds(10));
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
        beast::get_lowest_layer(*events_).expires_never();
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
        if (events_) beast::get_lowest_layer(*events_).close();
    }

private:
    net::io_context& ioc_;
    Transport transport_;
    std::unique_ptr<stream_type> events_;
    std::optional<bhttp::response_parser<bhttp::buffer_body>> events_parser_;
    beast::flat_buffer events_buffer_;
    std::string pending_;
};

// The client side of TLS to the Engine (Traefik's providers.docker.tls): `ca` (the daemon's
// CA; the system's when empty), `cert` and `key` (the client's, both or neither), each a
// file's path or the PEM itself. Throws std::invalid_argument naming the key at fault.
struct tls_settings {
    std::string ca, cert, key;
    bool insecure_skip_verify = false;
};
std::shared_ptr<net::ssl::context> make_tls_context(const tls_settings& settings);

// "/v1.41", from GET /version's answer: the lower of the newest version this provider
// speaks and the daemon's, refused (engine_error) below the daemon's minimum.
std::string negotiate(const std::string& version_body);

}  // namespace sluice::docker
