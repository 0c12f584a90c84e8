// Passive health: the data path reports each failed exchange (a connection failure or a
// 5xx); enough of them within the service's window take the server out of rotation until
// the window has passed.
#pragma once

#include <cstddef>

#include <boost/asio/io_context.hpp>

#include "runtime/snapshot.hpp"

namespace sluice::health {

// Any worker thread; lock-free unless this failure ejects the server. An ejection is a time
// in the server's shared state, so it holds in every snapshot serving the server and ends
// by itself; `control` (the control thread) only logs the server's return. Does nothing for
// a service without passiveHealthCheck.
void record_passive_failure(const runtime::service& svc, std::size_t index, boost::asio::io_context& control);

}  // namespace sluice::health
