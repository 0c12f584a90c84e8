// The session room: one client connection. It waits for a request (idle timeout), reads its
// head (limits and read timeout), hands it to an exchange, logs and counts the outcome, and
// repeats while the connection may stay open and the worker is not draining.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "config/static_config.hpp"

namespace sluice::http {

struct worker;

// Serves a plain TCP client connection until it closes.
boost::asio::awaitable<void> run_session(worker& w, const config::entry_point_config& ep,
                                         boost::asio::ip::tcp::socket socket);

}  // namespace sluice::http
