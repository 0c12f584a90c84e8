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
// fault and chooses a healthy server itself, or answers 503.
inline constexpr std::int32_t pick_failed = -2;

// The servers of one service. Owned by the host and valid for the picker's whole life.
// `up[i]` is the host's live health verdict for servers[i]; read it with a relaxed load.
// `inner`, when set, is the picker of the service's strategy, for balancers that wrap
// another (sticky sessions): the host owns it and releases it after the wrapping picker.
struct server_set {
    std::span<const server_info> servers;
    const std::atomic<bool>* up;
    picker* inner = nullptr;
};

// An immutable selection structure for one server set, built when the set changes.
// `pick` is called from every worker thread at once: it must be lock-free and must not
// allocate. Destroyed through release() once no request uses it any more.
class picker {
public:
    // Index into the server set of a healthy server, -1 when there is none, or pick_failed.
    // Indices in `exclude` (servers that already failed this request) must not be returned.
    virtual std::int32_t pick(const request& req, std::span<const std::int32_t> exclude) noexcept = 0;
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

// Index of the first server that is up and not excluded, scanning from `start` with
// wrap-around; -1 when none. A helper for pickers that fall back past a down server.
inline std::int32_t first_available(const server_set& set, std::size_t start,
                                    std::span<const std::int32_t> exclude) noexcept {
    const std::size_t n = set.servers.size();
    for (std::size_t step = 0; step < n; ++step) {
        const std::size_t i = (start + step) % n;
        if (!set.up[i].load(std::memory_order_relaxed)) continue;
        bool excluded = false;
        for (std::int32_t e : exclude) excluded = excluded || e == static_cast<std::int32_t>(i);
        if (!excluded) return static_cast<std::int32_t>(i);
    }
    return -1;
}

}  // namespace sluice::sdk
