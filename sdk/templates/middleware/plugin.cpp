// @NAME@: a middleware that tells the client how long the request took, in a response
// header (by default X-Response-Time: 12.345ms). It keeps the time the request arrived in
// per-request state, which the SDK hands from on_request to on_response and frees when the
// request is over.
//
//     [http.middlewares.timing.@NAME@]
//     header = "X-Response-Time"    # optional
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/declare.hpp"

namespace @IDENT@ {

namespace sdk = sluice::sdk;

// One configured middleware, created on the control thread. Its hooks run on every worker
// at once: it is immutable after create().
class middleware {
public:
    using request_state = std::chrono::steady_clock::time_point;

    static std::unique_ptr<middleware> create(sdk::host& host, std::string_view, std::string_view config,
                                              sdk::error_sink& errors) {
        sdk::config_reader options(config, errors);
        auto header = options.string_or("header", "X-Response-Time");
        if (header.empty()) errors.error("header", "must not be empty");
        if (!options.finish() || header.empty()) return nullptr;
        host.log(sdk::log_level::info, "times requests in " + header);
        return std::make_unique<middleware>(std::move(header));
    }

    explicit middleware(std::string header) : header_(std::move(header)) {}

    sdk::verdict on_request(sdk::request&, sdk::local_reply&, sdk::state_slot<request_state>& state) {
        state.emplace(std::chrono::steady_clock::now());
        return sdk::verdict::proceed;
    }

    // Runs for every response that goes out: the server's, or one the proxy made itself.
    void on_response(const sdk::request&, sdk::response& resp, request_state* arrived) {
        if (!arrived) return;
        const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - *arrived;
        char text[32];
        std::snprintf(text, sizeof text, "%.3fms", took.count());
        resp.set_header(header_, text);
    }

private:
    std::string header_;
};

}  // namespace @IDENT@

SLUICE_DECLARE_MIDDLEWARE(@IDENT@::middleware, "@NAME@", "0.1.0",
                          "Adds a response header with the time the request took",
                          "header = \"X-Response-Time\"\n")
