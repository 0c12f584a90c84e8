#include "http/local_reply.hpp"

#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "http/server.hpp"
#include "http/wire.hpp"

namespace sluice::http {

namespace {
constexpr auto nothrow = net::as_tuple(net::use_awaitable);
}

template <class Stream>
net::awaitable<bool> send_text(client_connection<Stream>& c, unsigned status, std::string_view body,
                               unsigned version, bool keep_alive, bool head) {
    local_response res{static_cast<bhttp::status>(status), version == 10 ? 10u : 11u};
    res.set(bhttp::field::content_type, "text/plain; charset=utf-8");
    res.body() = body;
    co_return co_await send_reply(c, res, version, keep_alive, head);
}

template <class Stream>
net::awaitable<bool> send_reply(client_connection<Stream>& c, local_response& res,
                                unsigned version, bool keep_alive, bool head) {
    if (res.result_int() == 0) res.result(bhttp::status::ok);
    res.version(version == 10 ? 10u : 11u);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    head_text text;
    write_head(text, res);
    const std::array<net::const_buffer, 2> bytes{net::buffer(text.data(), text.size()),
                                                 head ? net::const_buffer() : net::buffer(res.body())};
    const auto within = c.writing();
    auto [ec, n] = co_await c.stream.send(bytes);
    co_return !ec;
}

template <class Stream>
net::awaitable<bool> send_continue(client_connection<Stream>& c) {
    static constexpr std::string_view line = "HTTP/1.1 100 Continue\r\n\r\n";
    const auto within = c.writing();
    auto [ec, n] = co_await c.stream.send(net::buffer(line));
    co_return !ec;
}

template net::awaitable<bool> send_text(client_connection<tcp_connection>&, unsigned, std::string_view, unsigned,
                                        bool, bool);
template net::awaitable<bool> send_reply(client_connection<tcp_connection>&,
                                         local_response&, unsigned, bool, bool);
template net::awaitable<bool> send_continue(client_connection<tcp_connection>&);

}  // namespace sluice::http
