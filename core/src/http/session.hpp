// The session room: one client connection. It waits for a request (idle timeout), reads its
// head (limits and read timeout), hands it to an exchange, logs and counts the outcome, and
// repeats while the connection may stay open and the worker is not draining.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include "config/static_config.hpp"

namespace sluice::http {

struct worker;

// Serves a plain TCP client connection on the worker until it closes, or until the worker
// cancels it (terminate()).
void start_session(worker& w, const config::entry_point_config& ep, boost::asio::ip::tcp::socket socket);

}  // namespace sluice::http
