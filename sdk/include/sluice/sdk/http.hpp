// Views over the host's HTTP messages. They are valid only during the call that receives
// them; a plugin copies what it wants to keep. Header names compare case-insensitively.
#pragma once

#include <cstdint>
#include <string_view>

namespace sluice::sdk {

struct header_field {
    std::string_view name;
    std::string_view value;
};

// Called once per header field, in order; return false to stop early.
class header_visitor {
public:
    virtual bool on_field(header_field field) noexcept = 0;

protected:
    ~header_visitor() = default;
};

// The request as the proxy will forward it.
class request {
public:
    virtual std::string_view method() const noexcept = 0;
    // Origin-form target as it will be sent upstream: path and query, still encoded.
    virtual std::string_view target() const noexcept = 0;
    // The path in routing form: escapes decoded except reserved characters' (RFC 3986 2.2) and %25.
    virtual std::string_view routing_path() const noexcept = 0;
    // Host without port, lower-cased; empty when the request has none.
    virtual std::string_view host() const noexcept = 0;
    // The TCP peer's address, never taken from a header.
    virtual std::string_view client_ip() const noexcept = 0;
    // First value of the field, empty when absent.
    virtual std::string_view header(std::string_view name) const noexcept = 0;
    virtual bool has_header(std::string_view name) const noexcept = 0;
    virtual void visit_headers(header_visitor& visitor) const noexcept = 0;

    virtual void set_target(std::string_view target) noexcept = 0;
    // Replaces every value of the field.
    virtual void set_header(std::string_view name, std::string_view value) noexcept = 0;
    virtual void add_header(std::string_view name, std::string_view value) noexcept = 0;
    virtual void remove_header(std::string_view name) noexcept = 0;

protected:
    ~request() = default;
};

// The upstream response before it is sent to the client.
class response {
public:
    virtual std::uint16_t status() const noexcept = 0;
    virtual std::string_view header(std::string_view name) const noexcept = 0;
    virtual bool has_header(std::string_view name) const noexcept = 0;
    virtual void visit_headers(header_visitor& visitor) const noexcept = 0;

    virtual void set_header(std::string_view name, std::string_view value) noexcept = 0;
    virtual void add_header(std::string_view name, std::string_view value) noexcept = 0;
    virtual void remove_header(std::string_view name) noexcept = 0;

protected:
    ~response() = default;
};

// A response a middleware produces itself instead of forwarding the request.
class local_reply {
public:
    virtual void set_status(std::uint16_t status) noexcept = 0;
    virtual void set_header(std::string_view name, std::string_view value) noexcept = 0;
    virtual void set_body(std::string_view body) noexcept = 0;

protected:
    ~local_reply() = default;
};

}  // namespace sluice::sdk
