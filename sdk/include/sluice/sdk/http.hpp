// Views over the host's HTTP messages.
//
// Each is a small value (the host's function table and one opaque handle) that owns
// nothing. A view and every string_view it returns are valid only during the hook that
// received the view, and a getter's result only until the message is changed: copy what
// you keep. Header names compare case-insensitively. Calls run on the hook's thread.
#pragma once

#include <cstdint>
#include <exception>
#include <string_view>
#include <type_traits>
#include <utility>

#include "sluice/abi.h"
#include "sluice/sdk/host.hpp"

namespace sluice::sdk {

namespace detail {

// Calls `fn(name, value)` for each field through a C visitor. `fn` returns bool (false
// stops) or nothing. An exception from `fn` must not unwind through the host's frames: it
// stops the visit and is rethrown once the host has returned.
template <class Handle, class Fn>
void visit_fields(void (*visit)(Handle, sluice_header_visitor, void*), Handle handle, Fn& fn) {
    struct context {
        Fn* fn;
        std::exception_ptr error;
    } ctx{&fn, nullptr};
    visit(
        handle,
        [](void* c, sluice_str name, sluice_str value) noexcept -> std::int32_t {
            auto& ctx = *static_cast<context*>(c);
            try {
                if constexpr (std::is_void_v<std::invoke_result_t<Fn&, std::string_view, std::string_view>>) {
                    (*ctx.fn)(from_c(name), from_c(value));
                    return 1;
                } else {
                    return (*ctx.fn)(from_c(name), from_c(value)) ? 1 : 0;
                }
            } catch (...) {
                ctx.error = std::current_exception();
                return 0;
            }
        },
        &ctx);
    if (ctx.error) std::rethrow_exception(ctx.error);
}

template <class Handle>
std::string_view field(std::int32_t (*get)(Handle, sluice_str, sluice_str*), Handle handle, std::string_view name,
                       bool* present) noexcept {
    sluice_str value{nullptr, 0};
    const bool found = get(handle, to_c(name), &value) != 0;
    if (present) *present = found;
    return found ? from_c(value) : std::string_view();
}

}  // namespace detail

// The request as the proxy will forward it. A hook that may not change it receives it as
// `const request&`.
class request {
public:
    request(const sluice_host_api* api, sluice_request* handle) noexcept : api_(api), handle_(handle) {}
    // For hooks that receive the request read-only: only the const view escapes.
    static const request borrow(const sluice_host_api* api, const sluice_request* handle) noexcept {
        return request(api, const_cast<sluice_request*>(handle));
    }

    std::string_view method() const noexcept { return detail::from_c(api_->request_method(handle_)); }
    // Origin-form target as it will be sent upstream: path and query, still encoded.
    std::string_view target() const noexcept { return detail::from_c(api_->request_target(handle_)); }
    // The path in routing form: escapes decoded except reserved characters' (RFC 3986 2.2) and %25.
    std::string_view routing_path() const noexcept { return detail::from_c(api_->request_routing_path(handle_)); }
    // Host without port, lower-cased; empty when the request has none.
    std::string_view host() const noexcept { return detail::from_c(api_->request_host(handle_)); }
    // The TCP peer's address, never taken from a header.
    std::string_view client_ip() const noexcept { return detail::from_c(api_->request_client_ip(handle_)); }
    // First value of the field, empty when absent.
    std::string_view header(std::string_view name) const noexcept {
        return detail::field(api_->request_header, const_handle(), name, nullptr);
    }
    bool has_header(std::string_view name) const noexcept {
        bool present = false;
        detail::field(api_->request_header, const_handle(), name, &present);
        return present;
    }
    // Calls fn(std::string_view name, std::string_view value) for every field in order; fn
    // returns false to stop early, or nothing. Rethrows what fn throws, after the host returned.
    template <class Fn>
    void visit_headers(Fn&& fn) const {
        detail::visit_fields(api_->request_visit_headers, const_handle(), fn);
    }

    void set_target(std::string_view target) noexcept { api_->request_set_target(handle_, detail::to_c(target)); }
    // Replaces every value of the field.
    void set_header(std::string_view name, std::string_view value) noexcept {
        api_->request_set_header(handle_, detail::to_c(name), detail::to_c(value));
    }
    void add_header(std::string_view name, std::string_view value) noexcept {
        api_->request_add_header(handle_, detail::to_c(name), detail::to_c(value));
    }
    void remove_header(std::string_view name) noexcept { api_->request_remove_header(handle_, detail::to_c(name)); }

    const sluice_host_api* api() const noexcept { return api_; }
    const sluice_request* handle() const noexcept { return handle_; }
    sluice_request* handle() noexcept { return handle_; }

private:
    const sluice_request* const_handle() const noexcept { return handle_; }

    const sluice_host_api* api_;
    sluice_request* handle_;
};

// A response before it goes to the client: the server's, or one the proxy produced itself
// (a middleware's local reply, a 502/503/504).
class response {
public:
    response(const sluice_host_api* api, sluice_response* handle) noexcept : api_(api), handle_(handle) {}

    std::uint16_t status() const noexcept { return api_->response_status(handle_); }
    std::string_view header(std::string_view name) const noexcept {
        return detail::field(api_->response_header, const_handle(), name, nullptr);
    }
    bool has_header(std::string_view name) const noexcept {
        bool present = false;
        detail::field(api_->response_header, const_handle(), name, &present);
        return present;
    }
    // As request::visit_headers.
    template <class Fn>
    void visit_headers(Fn&& fn) const {
        detail::visit_fields(api_->response_visit_headers, const_handle(), fn);
    }

    // Replaces every value of the field.
    void set_header(std::string_view name, std::string_view value) noexcept {
        api_->response_set_header(handle_, detail::to_c(name), detail::to_c(value));
    }
    void add_header(std::string_view name, std::string_view value) noexcept {
        api_->response_add_header(handle_, detail::to_c(name), detail::to_c(value));
    }
    void remove_header(std::string_view name) noexcept { api_->response_remove_header(handle_, detail::to_c(name)); }
    // Since ABI 4.2: the host names the body's type from its first bytes when the response
    // has no Content-Type once every hook ran (Traefik's contentType middleware).
    void detect_content_type() noexcept { api_->response_detect_content_type(handle_); }

    const sluice_host_api* api() const noexcept { return api_; }
    sluice_response* handle() const noexcept { return handle_; }

private:
    const sluice_response* const_handle() const noexcept { return handle_; }

    const sluice_host_api* api_;
    sluice_response* handle_;
};

// The answer a middleware gives instead of forwarding the request (on_request returns
// verdict::respond). Valid during on_request only.
class local_reply {
public:
    local_reply(const sluice_host_api* api, sluice_local_reply* handle) noexcept : api_(api), handle_(handle) {}

    void set_status(std::uint16_t status) noexcept { api_->reply_set_status(handle_, status); }
    void set_header(std::string_view name, std::string_view value) noexcept {
        api_->reply_set_header(handle_, detail::to_c(name), detail::to_c(value));
    }
    void set_body(std::string_view body) noexcept { api_->reply_set_body(handle_, detail::to_c(body)); }

    const sluice_host_api* api() const noexcept { return api_; }
    sluice_local_reply* handle() const noexcept { return handle_; }

private:
    const sluice_host_api* api_;
    sluice_local_reply* handle_;
};

}  // namespace sluice::sdk
