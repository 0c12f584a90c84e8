// One client connection: read a request, route it, run middlewares, forward it to a
// picked server over a pooled connection, stream the response back; repeat.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "config/static_config.hpp"

namespace sluice::http {

struct worker;

boost::asio::awaitable<void> run_session(worker& w, const config::entry_point_config& ep,
                                         boost::asio::ip::tcp::socket socket);

}  // namespace sluice::http
