// abi.h's request and response views (plugin/host_api.hpp) implemented over Beast's
// messages. They live on the session's stack for one request.
#pragma once

#include <string>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/messages.hpp"
#include "plugin/host_api.hpp"

namespace sluice::http {

namespace bhttp = boost::beast::http;
void visit_fields(const fields& fields, sluice_header_visitor visitor, void* context) noexcept;
bool find_field(const fields& fields, std::string_view name, std::string_view& value) noexcept;

class request_view final : public sluice_request {
public:
    // `routing_path` must outlive the view (the session's parsed target does).
    request_view(upstream_request& req, std::string_view client_ip, std::string_view routing_path, std::string host)
        : req_(req), client_ip_(client_ip), routing_path_(routing_path), host_(std::move(host)) {}

    std::string_view method() const noexcept override { return req_.method_string(); }
    std::string_view target() const noexcept override { return req_.target(); }
    std::string_view routing_path() const noexcept override { return routing_path_; }
    std::string_view host() const noexcept override { return host_; }
    std::string_view client_ip() const noexcept override { return client_ip_; }
    bool header(std::string_view name, std::string_view& value) const noexcept override {
        return find_field(req_, name, value);
    }
    void visit_headers(sluice_header_visitor visitor, void* context) const noexcept override {
        visit_fields(req_, visitor, context);
    }

    void set_target(std::string_view target) noexcept override;
    void set_header(std::string_view name, std::string_view value) noexcept override;
    void add_header(std::string_view name, std::string_view value) noexcept override;
    void remove_header(std::string_view name) noexcept override;

private:
    upstream_request& req_;
    std::string_view client_ip_;
    std::string_view routing_path_;
    std::string rewritten_path_;  // owns the routing path once a plugin set a new target
    std::string host_;
};

class response_view final : public sluice_response {
public:
    explicit response_view(fields& fields, unsigned status) : fields_(fields), status_(status) {}

    std::uint16_t status() const noexcept override { return static_cast<std::uint16_t>(status_); }
    bool header(std::string_view name, std::string_view& value) const noexcept override {
        return find_field(fields_, name, value);
    }
    void visit_headers(sluice_header_visitor visitor, void* context) const noexcept override {
        visit_fields(fields_, visitor, context);
    }
    void set_header(std::string_view name, std::string_view value) noexcept override;
    void add_header(std::string_view name, std::string_view value) noexcept override;
    void remove_header(std::string_view name) noexcept override;
    void detect_content_type() noexcept override { detect_ = true; }

    // A hook asked for the body's type to be named from its first bytes, and the response
    // has none.
    bool names_type_from_body() const noexcept { return detect_ && fields_.find(bhttp::field::content_type) == fields_.end(); }

private:
    fields& fields_;
    unsigned status_;
    bool detect_ = false;
};

// A response produced by the proxy or a middleware rather than an upstream.
class local_reply_builder final : public sluice_local_reply {
public:
    local_response message;

    void set_status(std::uint16_t status) noexcept override { message.result(status); }
    void set_header(std::string_view name, std::string_view value) noexcept override;
    void set_body(std::string_view body) noexcept override;
};

}  // namespace sluice::http
