// Balancer plugins: pick one server of a service for each request.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <string_view>

#include "sluice/sdk/host.hpp"
#include "sluice/sdk/http.hpp"

namespace sluice::sdk {

struct server_info {
    std::string_view url;   // as configured; stable identity of the server across reloads
    std::uint32_t weight;   // >= 1
};

class picker;

// What `pick` returns when the picker itself failed (its code threw): the host reports the
// fault and chooses a server itself, or answers 503.
inline constexpr std::int32_t pick_failed = -2;

// The host's side of a pick (Pingora's selection model): the picker proposes servers in the
// order its algorithm prefers, the host accepts or refuses each. A server is refused when it
// is down, ejected, or already failed this request, and every proposal after the host's cap
// (a few times the number of servers) is refused too, so a picker that proposes in a loop
// ends. Valid only during the pick; called on the picking thread.
class server_filter {
public:
    virtual bool accept(std::int32_t server) const noexcept = 0;

protected:
    ~server_filter() = default;
};

// The servers of one service. Owned by the host and valid for the picker's whole life.
// `inner`, when set, is the picker this one wraps (a balancer plugin declared as a wrapper,
// such as sticky sessions, configured by a table named after it under the service's
// loadBalancer): the host owns it and releases it after the wrapping picker.
struct server_set {
    std::span<const server_info> servers;
    picker* inner = nullptr;
};

// An immutable selection structure for one server set, built when the set changes.
// `pick` is called from every worker thread at once: it must be lock-free and must not
// allocate. Destroyed through release() once no request uses it any more.
class picker {
public:
    // The first server of this picker's order that `filter` accepts, -1 when it accepts
    // none, or pick_failed. Health and retries are the host's business, not the picker's.
    virtual std::int32_t pick(const request& req, const server_filter& filter) noexcept = 0;
    // Called with the index `pick` returned before the response goes to the client
    // (for example to set a cookie). A failure here is reported; the response still goes out.
    virtual void on_response(const request& req, response& resp, std::int32_t server) noexcept = 0;
    virtual void release() noexcept = 0;

protected:
    ~picker() = default;
};

// One configured balancer: creates pickers. Lives as long as the configuration that created it.
class balancer {
public:
    // Returns an owned picker (release() it), or nullptr after reporting to `errors`.
    virtual picker* create_picker(const server_set& servers, error_sink& errors) noexcept = 0;
    virtual void release() noexcept = 0;

protected:
    ~balancer() = default;
};

}  // namespace sluice::sdk
