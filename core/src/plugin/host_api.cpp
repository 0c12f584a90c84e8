#include "plugin/host_api.hpp"

#include <spdlog/spdlog.h>

#include "config/plugin_table.hpp"
#include "plugin/plugin_services.hpp"

namespace sluice::plugin {

namespace {

spdlog::level::level_enum to_spdlog(std::uint32_t level) noexcept {
    switch (level) {
        case SLUICE_LOG_TRACE: return spdlog::level::trace;
        case SLUICE_LOG_DEBUG: return spdlog::level::debug;
        case SLUICE_LOG_INFO: return spdlog::level::info;
        case SLUICE_LOG_WARN: return spdlog::level::warn;
        default: return spdlog::level::err;
    }
}

// Every function is noexcept at the boundary: what the host's code might throw (allocation)
// ends here.
template <class Fn>
void guarded(Fn fn) noexcept {
    try {
        fn();
    } catch (...) {
    }
}

int32_t found(bool present, std::string_view value, sluice_str* out) noexcept {
    if (out) *out = to_str(present ? value : std::string_view());
    return present ? 1 : 0;
}

constexpr sluice_host_api table{
    sizeof(sluice_host_api),
    SLUICE_ABI_MAJOR,
    SLUICE_ABI_MINOR,
    // Logging and faults.
    // Each line names the object that logs it: "middleware strip-api@file: ...".
    [](const sluice_host* host, uint32_t level, sluice_str message) {
        guarded([&] { spdlog::log(to_spdlog(level), "{} {}: {}", host->kind, host->instance, to_view(message)); });
    },
    [](const sluice_host*, uint32_t level) -> int32_t { return spdlog::should_log(to_spdlog(level)) ? 1 : 0; },
    [](const sluice_host* host, sluice_str hook, sluice_str what) {
        host->services->report_fault(*host, to_view(hook), to_view(what));
    },
    // Configuration errors.
    [](sluice_error_sink* sink, sluice_str key, sluice_str message) { sink->error(to_view(key), to_view(message)); },
    // Metrics.
    [](sluice_host* host, sluice_str name, sluice_str help) -> sluice_metric* {
        sluice_metric* m = nullptr;
        guarded([&] { m = host->services->metric(*host, sluice_metric::type::counter, to_view(name), to_view(help)); });
        return m;
    },
    [](sluice_host* host, sluice_str name, sluice_str help) -> sluice_metric* {
        sluice_metric* m = nullptr;
        guarded([&] { m = host->services->metric(*host, sluice_metric::type::gauge, to_view(name), to_view(help)); });
        return m;
    },
    [](sluice_metric* metric, int64_t delta) {
        if (metric && (metric->kind == sluice_metric::type::gauge || delta > 0))
            metric->value.fetch_add(delta, std::memory_order_relaxed);
    },
    [](sluice_metric* metric, int64_t value) {
        if (metric && metric->kind == sluice_metric::type::gauge) metric->value.store(value, std::memory_order_relaxed);
    },
    // The request.
    [](const sluice_request* r) { return to_str(r->method()); },
    [](const sluice_request* r) { return to_str(r->target()); },
    [](const sluice_request* r) { return to_str(r->routing_path()); },
    [](const sluice_request* r) { return to_str(r->host()); },
    [](const sluice_request* r) { return to_str(r->client_ip()); },
    [](const sluice_request* r, sluice_str name, sluice_str* value) -> int32_t {
        std::string_view v;
        return found(r->header(to_view(name), v), v, value);
    },
    [](const sluice_request* r, sluice_header_visitor visitor, void* context) { r->visit_headers(visitor, context); },
    [](sluice_request* r, sluice_str target) { r->set_target(to_view(target)); },
    [](sluice_request* r, sluice_str name, sluice_str value) { r->set_header(to_view(name), to_view(value)); },
    [](sluice_request* r, sluice_str name, sluice_str value) { r->add_header(to_view(name), to_view(value)); },
    [](sluice_request* r, sluice_str name) { r->remove_header(to_view(name)); },
    // A response.
    [](const sluice_response* r) { return r->status(); },
    [](const sluice_response* r, sluice_str name, sluice_str* value) -> int32_t {
        std::string_view v;
        return found(r->header(to_view(name), v), v, value);
    },
    [](const sluice_response* r, sluice_header_visitor visitor, void* context) { r->visit_headers(visitor, context); },
    [](sluice_response* r, sluice_str name, sluice_str value) { r->set_header(to_view(name), to_view(value)); },
    [](sluice_response* r, sluice_str name, sluice_str value) { r->add_header(to_view(name), to_view(value)); },
    [](sluice_response* r, sluice_str name) { r->remove_header(to_view(name)); },
    // A middleware's own answer.
    [](sluice_local_reply* r, uint16_t status) { r->set_status(status); },
    [](sluice_local_reply* r, sluice_str name, sluice_str value) { r->set_header(to_view(name), to_view(value)); },
    [](sluice_local_reply* r, sluice_str body) { r->set_body(to_view(body)); },
    // Picks.
    [](const sluice_server_filter* f, int32_t server) -> int32_t { return f->accept(server) ? 1 : 0; },
    [](sluice_inner_picker* inner, const sluice_request* request, const sluice_server_filter* filter) {
        return inner->ops->pick(inner->picker, request, filter);
    },
    [](sluice_inner_picker* inner, const sluice_request* request, sluice_response* response, int32_t server) {
        if (inner->ops->on_response) inner->ops->on_response(inner->picker, request, response, server);
    },
    [](sluice_inner_picker* inner, const sluice_request* request, const sluice_attempt* attempt) {
        if (inner->ops->on_attempt) inner->ops->on_attempt(inner->picker, request, attempt);
    },
    // Providers.
    [](sluice_document_sink* sink, sluice_str document) { sink->publish(to_view(document)); },
    // 4.1: picks of a pinned server.
    [](const sluice_server_filter* f, int32_t server) -> int32_t { return f->accept_pinned(server) ? 1 : 0; },
    // 4.2: a response's type named from its body.
    [](sluice_response* r) { r->detect_content_type(); },
};

}  // namespace

const sluice_host_api& host_api() noexcept { return table; }

}  // namespace sluice::plugin
