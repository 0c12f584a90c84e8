// Middleware plugins: rewrite a request on its way in and its response on the way out.
#pragma once

#include "sluice/sdk/http.hpp"

namespace sluice::sdk {

enum class verdict : int {
    proceed = 0,  // continue with the next middleware, then the service
    respond = 1,  // answer with the local_reply now; later middlewares and the service are skipped
    failed = 2,   // the hook failed (the SDK's adapter returns it when the author's code throws):
                  // the host answers 500 and reports the fault
};

// One configured middleware instance. Immutable after creation and called from every
// worker thread at once. Destroyed through release().
class middleware {
public:
    virtual verdict on_request(request& req, local_reply& reply) noexcept = 0;
    // Runs in reverse order for every middleware whose on_request ran, including for a
    // local reply. Returns proceed, or failed (the host then answers 500 instead).
    virtual verdict on_response(const request& req, response& resp) noexcept = 0;
    virtual void release() noexcept = 0;

protected:
    ~middleware() = default;
};

}  // namespace sluice::sdk
