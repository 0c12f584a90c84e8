// The mirror room: copies of a request for the mirrors a mirroring service chose for it
// (Traefik's mirroring). The copy is taken as the request goes upstream (its head as the
// upstream sees it; its body as it is relayed, up to the mirroring's maxBodySize) and sent
// once the exchange has ended, by a coroutine of the same worker that reads each mirror's
// answer and discards it. The client never waits for a mirror: a slow or failing one costs
// the worker a connection and a coroutine, and shows in the mirror service's metrics.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "http/message_views.hpp"
#include "http/messages.hpp"
#include "http/relay.hpp"
#include "runtime/snapshot.hpp"

namespace sluice::http {

struct worker;

struct mirror_copy {
    std::shared_ptr<const runtime::snapshot> snapshot;  // keeps the mirrors' services alive
    runtime::mirror_list targets;
    upstream_request head;          // as sent upstream; framed again for each mirror
    std::string host_field;         // the Host field the upstream got (a mirror may not pass it)
    std::string client_ip, routing_path, host;  // what the mirrors' pickers see
    bool has_body = false;          // the request has a body (it may be copied)
    bool body_wanted = false;       // a mirror takes the body: it is copied as it is relayed
    body_copy body;

    // Where the relay copies the body to, or null when no mirror takes it.
    body_copy* body_sink() noexcept { return body_wanted && !body.over ? &body : nullptr; }
};

// Copies in flight on one worker beyond which a new copy is not sent (it counts as a 503
// of its mirror): mirrors slower than the traffic must not pile up without bound.
inline constexpr std::size_t max_mirror_copies = 1000;

// The copy of the request `parser` holds (its head ready for the upstream), for `targets`.
std::unique_ptr<mirror_copy> copy_for_mirrors(const request_parser& parser, const request_view& view,
                                              std::shared_ptr<const runtime::snapshot> snapshot,
                                              runtime::mirror_list targets);

// Sends the copy to its mirrors, one after the other, on the worker (from its own thread).
// `body_complete`: the request's body was read to its end (a mirror that takes the body is
// skipped otherwise). Never throws: a copy that cannot be sent is dropped and counted.
void send_mirrors(worker& w, std::unique_ptr<mirror_copy> copy, bool body_complete) noexcept;

}  // namespace sluice::http
