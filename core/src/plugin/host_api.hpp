// The host's side of abi.h: its opaque host objects, completed as interfaces the host's
// rooms implement (the request and response views in http/, the server selection, the
// provider host's document sink), and the one table of functions every plugin calls.
#pragma once

#include <cstdint>
#include <string_view>

#include "sluice/abi.h"

// The request as it will be forwarded (http::request_view).
struct sluice_request {
    virtual std::string_view method() const noexcept = 0;
    virtual std::string_view target() const noexcept = 0;
    virtual std::string_view routing_path() const noexcept = 0;
    virtual std::string_view host() const noexcept = 0;
    virtual std::string_view client_ip() const noexcept = 0;
    // The first value of the field; false (and `value` empty) when absent.
    virtual bool header(std::string_view name, std::string_view& value) const noexcept = 0;
    virtual void visit_headers(sluice_header_visitor visitor, void* context) const noexcept = 0;
    virtual void set_target(std::string_view target) noexcept = 0;
    virtual void set_header(std::string_view name, std::string_view value) noexcept = 0;
    virtual void add_header(std::string_view name, std::string_view value) noexcept = 0;
    virtual void remove_header(std::string_view name) noexcept = 0;

protected:
    ~sluice_request() = default;
};

// A response before it goes to the client (http::response_view).
struct sluice_response {
    virtual std::uint16_t status() const noexcept = 0;
    virtual bool header(std::string_view name, std::string_view& value) const noexcept = 0;
    virtual void visit_headers(sluice_header_visitor visitor, void* context) const noexcept = 0;
    virtual void set_header(std::string_view name, std::string_view value) noexcept = 0;
    virtual void add_header(std::string_view name, std::string_view value) noexcept = 0;
    virtual void remove_header(std::string_view name) noexcept = 0;
    virtual void detect_content_type() noexcept = 0;

protected:
    ~sluice_response() = default;
};

// A middleware's own answer (http::local_reply_builder).
struct sluice_local_reply {
    virtual void set_status(std::uint16_t status) noexcept = 0;
    virtual void set_header(std::string_view name, std::string_view value) noexcept = 0;
    virtual void set_body(std::string_view body) noexcept = 0;

protected:
    ~sluice_local_reply() = default;
};

// The host's side of one pick (http::server_selection).
struct sluice_server_filter {
    virtual bool accept(std::int32_t server) const noexcept = 0;
    virtual bool accept_pinned(std::int32_t server) const noexcept = 0;

protected:
    ~sluice_server_filter() = default;
};

// Where a provider publishes (control::provider_host).
struct sluice_document_sink {
    virtual void publish(std::string_view toml_document) noexcept = 0;
    // The built-in file provider's, beyond abi.h: a document named by the file it came
    // from (a directory's files are one document each), and a file that is gone.
    virtual void publish_file(std::string_view path, std::string_view document) noexcept = 0;
    virtual void withdraw_file(std::string_view path) noexcept = 0;

protected:
    ~sluice_document_sink() = default;
};

// The picker a wrapping balancer wraps: the next layer inward of a service's balancers.
struct sluice_inner_picker {
    const sluice_balancer_ops* ops = nullptr;
    void* picker = nullptr;
};

namespace sluice::plugin {

// The table handed to every plugin object's create function.
const sluice_host_api& host_api() noexcept;

inline sluice_str to_str(std::string_view s) noexcept { return {s.data(), s.size()}; }
inline std::string_view to_view(sluice_str s) noexcept { return s.data ? std::string_view(s.data, s.size) : std::string_view(); }

}  // namespace sluice::plugin
