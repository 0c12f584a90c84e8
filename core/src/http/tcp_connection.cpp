#include "http/tcp_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>

namespace sluice::http {

std::tuple<boost::system::error_code, std::size_t> tcp_connection::send_now(
    std::span<const net::const_buffer> buffers) noexcept {
    boost::system::error_code ec;
    if (!socket_.non_blocking()) socket_.non_blocking(true, ec);
    const std::size_t sent = net::buffer_size(buffers) == 0 || ec ? 0 : socket_.write_some(buffers, ec);
    if (ec == net::error::would_block || ec == net::error::try_again) ec = {};
    return {ec, sent};
}

net::awaitable<std::tuple<boost::system::error_code, std::size_t>> tcp_connection::send_rest(
    std::span<const net::const_buffer> buffers, std::size_t sent) {
    boost::beast::buffers_suffix<std::span<const net::const_buffer>> rest(buffers);
    rest.consume(sent);
    auto [ec, n] = co_await net::async_write(socket_, rest, net::as_tuple(net::use_awaitable));
    co_return std::tuple(ec, sent + n);
}

net::awaitable<std::tuple<boost::system::error_code, std::size_t>> tcp_connection::send(
    std::span<const net::const_buffer> buffers) {
    auto [ec, sent] = send_now(buffers);
    if (ec || sent == net::buffer_size(buffers)) co_return std::tuple(ec, sent);
    co_return co_await send_rest(buffers, sent);
}

net::awaitable<std::tuple<boost::system::error_code, std::size_t>> tcp_connection::send(net::const_buffer buffer) {
    co_return co_await send(std::span<const net::const_buffer>(&buffer, 1));
}

}  // namespace sluice::http
