// The upstream_call room: one attempt to serve a request on one server, over one pooled
// connection. It writes the head, streams the request body up while the response comes down
// (upload and download are two coroutines joined with `&&`; nothing outlives the call), runs
// the response hooks and relays the response. It says whether another server may be tried.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include <boost/asio/awaitable.hpp>

#include "http/exchange.hpp"
#include "http/relay.hpp"
#include "http/upstream_pool.hpp"
#include "http/wire.hpp"

namespace sluice::http {

// redial: the server could not be reached; resend: it took the request and answered nothing.
// In both cases nothing was sent to the client and nothing of the request body was read.
enum class outcome { keep_alive, close, redial, resend };

// Which failures before any response byte may send the request to another server.
struct retry_policy {
    bool after_dial_failure = false;
    bool after_send = false;
};

template <class Stream>
class upstream_call {
public:
    // `chosen`: the service's picker chose `index` (it then hears how the attempt ended).
    upstream_call(exchange<Stream>& x, const runtime::service& svc, std::int32_t index, retry_policy policy,
                  bool chosen)
: x_(x), client_(x.client), svc_(svc), index_(index), policy_(policy), chosen_(chosen),
          told_(chosen && svc.pick_ops->on_attempt), in_flight_(svc.health[static_cast<std::size_t>(index)]->load) {
        if (told_) began_ = std::chrono::steady_clock::now();
    }

    // One attempt, start to end. The call lives in this coroutine's frame rather than the
    // exchange's, which then stays within the 1 KiB of a frame Asio recycles.
    static boost::asio::awaitable<outcome> attempt(exchange<Stream>& x, const runtime::service& svc,
                                                   std::int32_t index, retry_policy policy, bool chosen);

private:
    // The attempt; pass its outcome to settle() (kept apart so the common path costs one
    // coroutine frame fewer).
    boost::asio::awaitable<outcome> run();
    // Hands a clean connection back to the pool and tells the picker how the attempt ended;
    // the outcome for the exchange.
    outcome settle(outcome o);

    // Reads the response head, runs the response hooks and relays the response; nullopt when
    // a pooled connection turned out to be closed before it saw the request (`may_retry`: a
    // fresh one may take it).
    boost::asio::awaitable<std::optional<outcome>> respond(bool may_retry);
    boost::asio::awaitable<std::optional<outcome>> head_failed(boost::system::error_code ec, bool may_retry);
    // respond() while the body streams up; stops the upload when the response ends first.
    boost::asio::awaitable<outcome> respond_while_uploading();
    boost::asio::awaitable<void> upload();
    // The proxy's own answer (502, 504, ...) after this attempt failed.
    boost::asio::awaitable<outcome> fail(unsigned status);
    // A failure before any response byte and before any of the body was read.
    boost::asio::awaitable<outcome> failed_early(unsigned status, bool reached);
    void record_failure();
    // How the attempt ended, for the picker: set when the response head arrives or the
    // attempt fails before it.
    void ended(sluice_attempt_outcome how) noexcept;

    exchange<Stream>& x_;
    client_connection<Stream>& client_;
    const runtime::service& svc_;
    std::int32_t index_;
    retry_policy policy_;
    std::unique_ptr<upstream_connection> up_;
    // The request head's text, then the response head's: in a block lent by the worker.
    head_text head_;
    std::optional<response_parser> response_;
    bool uploading_ = false;
    bool upload_started_ = false;  // some of the body was read: the request can no longer be replayed
    relay_status upload_ = relay_status::done;
    bool reusable_ = false;
    bool chosen_;
    // The picker chose the server and listens for attempts: only then is the attempt timed.
    bool told_;
    std::chrono::steady_clock::time_point began_;
    sluice_attempt attempt_{sizeof(sluice_attempt), index_, SLUICE_ATTEMPT_RESET, 0, 0};
    bool ended_ = false;
    runtime::server_health::load_stats::hold in_flight_;  // the attempt, in the server's load
};

extern template class upstream_call<tcp_connection>;

}  // namespace sluice::http
