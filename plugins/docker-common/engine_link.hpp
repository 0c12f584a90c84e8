// A connection to the Docker Engine API, shared by the docker and swarm providers: requests
// and the event stream over a unix socket or TCP (Asio and Beast, for the providers'
// coroutines), and the API version agreed with the daemon. Each provider reads the Engine's
// JSON answers in plain functions of its own, outside coroutine frames.
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace sluice::docker {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
inline constexpr auto nothrow = net::as_tuple(net::use_awaitable);

// The Engine or the connection to it failed; the provider logs it and reconnects.
struct engine_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// One connection to the Engine: a unix socket or TCP, with Beast's timeouts.
template <class Protocol>
class engine_link {
public:
    using stream_type = beast::basic_stream<Protocol>;

    engine_link(net::io_context& ioc, typename Protocol::endpoint endpoint) : ioc_(ioc), endpoint_(endpoint) {}

    // GET target; returns status and body. Throws engine_error on a transport failure.
    net::awaitable<std::pair<unsigned, std::string>> get(std::string target) {
        stream_type stream(ioc_);
        stream.expires_after(std::chrono::seconds(10));
        auto [cec] = co_await stream.async_connect(endpoint_, nothrow);
        if (cec) throw engine_error("cannot connect: " + cec.message());
        bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
        req.set(bhttp::field::host, "docker");  // the Engine requires one, any value
        req.set(bhttp::field::user_agent, "sluice-docker-provider");
        auto [wec, wn] = co_await bhttp::async_write(stream, req, nothrow);
        if (wec) throw engine_error("request failed: " + wec.message());
        beast::flat_buffer buffer;
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        auto [rec, rn] = co_await bhttp::async_read(stream, buffer, parser, nothrow);
        if (rec) throw engine_error("reading the answer failed: " + rec.message());
        co_return std::make_pair(parser.get().result_int(), std::move(parser.get().body()));
    }

    // Opens the event stream; returns once the Engine accepted it.
    net::awaitable<void> open_events(std::string target) {
        events_.emplace(ioc_);
        events_->expires_after(std::chrono::seconds(10));
        auto [cec] = co_await events_->async_connect(endpoint_, nothrow);
        if (cec) throw engine_error("cannot connect: " + cec.message());
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
        events_->expires_never();
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
        if (events_) events_->close();
    }

private:
    net::io_context& ioc_;
    typename Protocol::endpoint endpoint_;
    std::optional<stream_type> events_;
    std::optional<bhttp::response_parser<bhttp::buffer_body>> events_parser_;
    beast::flat_buffer events_buffer_;
    std::string pending_;
};

// "/v1.41", from GET /version's answer: the lower of the newest version this provider
// speaks and the daemon's, refused (engine_error) below the daemon's minimum.
std::string negotiate(const std::string& version_body);

}  // namespace sluice::docker
