// Balancer plugins: pick one server of a service for each request.
//
// The author's balancer builds a picker per server set (see declare.hpp for the hooks); the
// types here are what those hooks receive. All are views that own nothing.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "sluice/abi.h"
#include "sluice/sdk/host.hpp"
#include "sluice/sdk/http.hpp"

namespace sluice::sdk {

struct server_info {
    std::string_view url;   // as configured; stable identity of the server across reloads
    std::uint32_t weight;   // >= 1
};

// What `pick` returns when the picker itself failed. The SDK returns it when the author's
// pick throws (and reports the fault); the host then chooses a server itself, or answers 503.
inline constexpr std::int32_t pick_failed = SLUICE_PICK_FAILED;

// The host's side of a pick (Pingora's selection model): the picker proposes servers in the
// order its algorithm prefers, the host accepts or refuses each. A server is refused when it
// is down, ejected, or already failed this request, and every proposal after the host's cap
// (a few times the number of servers) is refused too, so a picker that proposes in a loop
// ends. A server in its slow start (loadBalancer.slowStart) refuses a shrinking share of new
// placements, so its share grows over the window; if every proposal was refused so, the host
// asks the picker again with slow start off. Valid only during the pick; called on the
// picking thread.
class server_filter {
public:
    server_filter(const sluice_host_api* api, const sluice_server_filter* handle) noexcept
        : api_(api), handle_(handle) {}

    bool accept(std::int32_t server) const noexcept { return api_->filter_accept(handle_, server) != 0; }
    // For a server the request is pinned to (a cookie, a session the plugin keeps): as accept,
    // but a server in its slow start is not held back, so pinned clients stay while it is up.
    bool accept_pinned(std::int32_t server) const noexcept {
        return api_->filter_accept_pinned(handle_, server) != 0;
    }

    const sluice_server_filter* handle() const noexcept { return handle_; }

private:
    const sluice_host_api* api_;
    const sluice_server_filter* handle_;
};

enum class attempt_outcome : std::uint32_t {
    response = SLUICE_ATTEMPT_RESPONSE,  // the server answered; the response was relayed (or failed mid-body)
    refused = SLUICE_ATTEMPT_REFUSED,    // no connection: refused, unreachable, or the dial timed out
    timeout = SLUICE_ATTEMPT_TIMEOUT,    // connected, but no response head within the timeout
    reset = SLUICE_ATTEMPT_RESET,        // the connection broke before a response head
};

// How one attempt on a server this picker returned ended (a picker's on_attempt).
struct attempt {
    std::int32_t server;                 // the index pick returned
    attempt_outcome outcome;
    std::uint16_t status;                // the response status for attempt_outcome::response, else 0
    std::chrono::microseconds latency;   // from the start of the attempt to the response head, or to the failure

    // Fields a host of an older minor did not send read as zero.
    static attempt from_c(const sluice_attempt& a) noexcept {
        attempt out{-1, attempt_outcome::response, 0, std::chrono::microseconds(0)};
        if (a.struct_size >= offsetof(sluice_attempt, server) + sizeof a.server) out.server = a.server;
        if (a.struct_size >= offsetof(sluice_attempt, outcome) + sizeof a.outcome)
            out.outcome = static_cast<attempt_outcome>(a.outcome);
        if (a.struct_size >= offsetof(sluice_attempt, status) + sizeof a.status) out.status = a.status;
        if (a.struct_size >= offsetof(sluice_attempt, latency_us) + sizeof a.latency_us)
            out.latency = std::chrono::microseconds(static_cast<std::int64_t>(a.latency_us));
        return out;
    }
    sluice_attempt to_c() const noexcept {
        return {sizeof(sluice_attempt), server, static_cast<std::uint32_t>(outcome), status,
                static_cast<std::uint64_t>(latency.count())};
    }
};

// The picker a wrapping balancer wraps (SLUICE_DECLARE_WRAPPING_BALANCER): the service's
// strategy, or the wrapper loaded before this one. Null for a strategy's own pickers. Owned
// by the host; valid for the life of the wrapping picker; its hooks are as thread-safe as
// the wrapping picker's own.
class inner_picker {
public:
    inner_picker() noexcept = default;
    inner_picker(const sluice_host_api* api, sluice_inner_picker* handle) noexcept : api_(api), handle_(handle) {}

    explicit operator bool() const noexcept { return handle_ != nullptr; }

    // As the wrapping picker's own hooks (declare.hpp). Forward on_response and on_attempt
    // only for servers the inner picker's pick returned: its contract promises nothing else.
    std::int32_t pick(const request& req, const server_filter& filter) const noexcept {
        return api_->inner_pick(handle_, req.handle(), filter.handle());
    }
    void on_response(const request& req, response& resp, std::int32_t server) const noexcept {
        api_->inner_on_response(handle_, req.handle(), resp.handle(), server);
    }
    void on_attempt(const request& req, const attempt& a) const noexcept {
        const sluice_attempt c = a.to_c();
        api_->inner_on_attempt(handle_, req.handle(), &c);
    }

    sluice_inner_picker* handle() const noexcept { return handle_; }

private:
    const sluice_host_api* api_ = nullptr;
    sluice_inner_picker* handle_ = nullptr;
};

// The servers of one service, as create_picker receives them. Owned by the SDK's wrapper
// around the picker and valid for the picker's whole life, so a picker may keep the
// server_set (a copy is cheap) or views into it.
struct server_set {
    std::span<const server_info> servers;
    inner_picker inner;  // null unless the balancer is a wrapper
};

}  // namespace sluice::sdk
