// Passive health: the data path reports each failed exchange (a connection failure or a
// 5xx); enough of them within the service's window take the server out of rotation until
// the window has passed.
#pragma once

#include <cstddef>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "runtime/snapshot.hpp"

namespace sluice::health {

// Any worker thread; lock-free unless this failure ejects the server. `snapshot` owns
// `svc`; `control` (the control thread) readmits the server when the window has passed, in
// this snapshot and in the newest one serving it. Does nothing for a service without
// passiveHealthCheck.
void record_passive_failure(const runtime::service& svc, std::size_t index,
                            const std::shared_ptr<const runtime::snapshot>& snapshot,
                            boost::asio::io_context& control);

}  // namespace sluice::health
