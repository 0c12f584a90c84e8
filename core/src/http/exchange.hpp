// The exchange room: one request's way from its parsed head to an answer. It validates the
// request, settles the forwarding headers, matches a router, runs the middleware chain,
// asks the service's picker for a server and retries on another one when a server could not
// take the request. Each attempt is an upstream_call. The exchange object carries the
// request's state; the session reads it afterwards for the access log and metrics.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/container/small_vector.hpp>

#include "http/client_connection.hpp"
#include "http/local_reply.hpp"
#include "http/message_views.hpp"
#include "http/mirror.hpp"
#include "http/request_target.hpp"
#include "runtime/snapshot.hpp"

namespace sluice::http {

// What the client asked for, read before the head is rewritten for the upstream.
struct request_facts {
    unsigned version = 11;
    bool keep_alive = true;
    bool is_head = false;
    bool upgrade = false;  // an Upgrade the proxy can tunnel (never h2c)
    bool websocket = false;
    bool expect_continue = false;
    bool idempotent = false;
};

request_facts read_facts(const upstream_request& req);

// Why the proxy refuses a request before routing it, and what it answers.
struct refusal {
    unsigned status;
    std::string_view text;
    bool close = true;  // the connection ends after the answer
};

// The head checks every request passes before routing (too many fields, ambiguous framing,
// Host missing or repeated); the refusal when one fails. Shared with the request fuzzer.
std::optional<refusal> check_head(const request_parser& parser, std::size_t max_header_count);

template <class Stream>
class exchange {
public:
    // `target` is the session's, reused from request to request for its buffers.
    exchange(client_connection<Stream>& client, request_parser& parser, request_target& target)
        : client(client), parser(parser), target(target) {}
    // Ends the request for the middlewares that kept state for it.
    ~exchange();
    exchange(const exchange&) = delete;
    exchange& operator=(const exchange&) = delete;

    // Serves the request; true when the connection may carry another one.
    boost::asio::awaitable<bool> run();

    // The keep-alive rule for an answer given now (see keep_alive_rule).
    keep_alive_rule keep_alive(bool request_read) const noexcept {
        return {facts.keep_alive, request_read && parser.is_done(), client.w.draining, false};
    }
    // Answers with the proxy's own text and records it; true when the connection stays open.
    // The response hooks of the middlewares that ran see it first (a 502 goes through them
    // as a server's response does).
    boost::asio::awaitable<bool> reply(unsigned status, std::string_view body, keep_alive_rule rule);
    boost::asio::awaitable<bool> reply(unsigned status, std::string_view body) {
        return reply(status, body, keep_alive(true));
    }
    // A broken request: answered, then the connection closes.
    boost::asio::awaitable<bool> refuse(unsigned status, std::string_view body) {
        auto rule = keep_alive(true);
        rule.forced_close = true;
        return reply(status, body, rule);
    }

    // The request's state, filled in as it goes through the rooms.
    client_connection<Stream>& client;
    request_parser& parser;
    request_target& target;
    request_facts facts;
    unsigned status = 0;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::chrono::system_clock::time_point wall = std::chrono::system_clock::now();
    std::uint64_t bytes = 0;  // body bytes sent to the client
    // Kept to the end of the exchange: route and server point into it, and metrics and the
    // access log read them after the response.
    std::shared_ptr<const runtime::snapshot> snapshot;
    const runtime::route* route = nullptr;
    const runtime::server* server = nullptr;
    std::string received_target;  // set when the target was normalised, for the access log
    std::optional<request_view> view;  // what middlewares and pickers see, once routed
    // What composite services chose for the request besides the service of its server:
    // the copy for the mirrors, sent when the exchange ends (mirror.hpp), and the cookies
    // that pin it, set on the response. Null unless the route's service needs choices.
    struct composite_outcome {
        std::unique_ptr<mirror_copy> mirror;
        std::vector<std::string> set_cookies;
    };
    std::unique_ptr<composite_outcome> composite;

    // Response hooks, in reverse order, of the middlewares whose request hook ran; once per
    // exchange. False when one failed (the answer is then a 500).
    bool run_response_hooks(response_view& rv);

private:
    // Checks the head and settles its target; the answer when the request is refused.
    std::optional<refusal> admit();
    // Runs the request hooks in order; true when one answered or failed.
    bool run_request_hooks(local_reply_builder& built);
    // Writes the answer of the middleware that stopped the chain.
    boost::asio::awaitable<bool> answer_for_middleware(local_reply_builder& built);
    void prepare_upstream_head();
    // The route's service resolved when a composite on the way needs choices (a mirroring
    // service, a sticky weighted one): the outcome is kept in `composite`.
    const runtime::service& resolve_composites(std::int64_t now_ms);

    bool failed_hook_ = false;
    bool response_hooks_ran_ = false;
    std::size_t hooks_ran_ = 0;         // request hooks called
    // Each middleware's state for this request (abi.h's on_request `state` slot).
    boost::container::small_vector<void*, 4> states_;
};

extern template class exchange<tcp_connection>;

}  // namespace sluice::http
