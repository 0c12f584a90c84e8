// Middleware plugins: rewrite a request on its way in and its response on the way out.
// The hooks a middleware type provides are listed in declare.hpp.
#pragma once

#include <cstdint>
#include <utility>

#include "sluice/abi.h"
#include "sluice/sdk/http.hpp"

namespace sluice::sdk {

enum class verdict : std::uint32_t {
    proceed = SLUICE_PROCEED,  // continue with the next middleware, then the service
    respond = SLUICE_RESPOND,  // answer with the local_reply now; later middlewares and the service are skipped
    failed = SLUICE_FAILED,    // the hook failed (the SDK returns it when the author's code throws):
                               // the host answers 500 and the fault is reported
};

// Per-request state of a middleware that declares `using request_state = S;`: its
// on_request receives the request's slot for it, empty on entry. Nothing is allocated
// unless the hook calls emplace(); what it stores reaches on_response as `S*` (nullptr when
// nothing was stored) and is deleted by the SDK when the host ends the request
// (sluice_middleware_ops::end_request). One slot per request and middleware, so no locking
// is needed.
//
// Valid during on_request only (the state itself lives until the request ends).
template <class S>
class state_slot {
public:
    explicit state_slot(void** slot) noexcept : slot_(slot) {}

    // Replaces what the slot holds with a new S(args...).
    template <class... Args>
    S& emplace(Args&&... args) {
        S* made = new S(std::forward<Args>(args)...);
        reset();
        *slot_ = made;
        return *made;
    }
    void reset() noexcept {
        delete get();
        *slot_ = nullptr;
    }
    S* get() const noexcept { return static_cast<S*>(*slot_); }
    S* operator->() const noexcept { return get(); }
    S& operator*() const noexcept { return *get(); }
    explicit operator bool() const noexcept { return *slot_ != nullptr; }

private:
    void** slot_;
};

}  // namespace sluice::sdk
