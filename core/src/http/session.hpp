// The session room: one client connection. It waits for a request (idle timeout), reads its
// head (limits and read timeout), hands it to an exchange, logs and counts the outcome, and
// repeats while the connection may stay open and the worker is not draining. A connection
// idle for longer than a moment is parked: no coroutine and no buffer until its next request.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include "config/static_config.hpp"
#include "http/tcp_connection.hpp"

namespace sluice::http {

struct worker;

// Serves a plain TCP client connection on the worker until it closes, or until the worker
// cancels it (terminate()).
void start_session(worker& w, const config::entry_point_config& ep, tcp_connection::socket_type socket);

}  // namespace sluice::http
