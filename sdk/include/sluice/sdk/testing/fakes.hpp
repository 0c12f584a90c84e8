// Fakes for unit-testing plugins without the host: a C++ implementation of the whole
// sluice_host_api (fake_api()) over in-memory messages, error and document sinks, and a
// log, fault and metric recorder; the server set and inner pickers balancer tests use are
// in fake_balancer.hpp, included here. Test code only: not thread-safe, and no fake may be
// copied or moved once a plugin has seen it (the handles the plugin holds are the fakes'
// addresses).
//
// Each fake is also the SDK view of itself (fake_request is an sdk::request, ...), so an
// author's class can be tested directly:
//     fake_host host; collecting_errors errors;
//     auto mw = my_middleware::create(host, "t@file", "prefixes = [\"/api\"]", errors);
//     fake_request req; fake_local_reply reply;
//     EXPECT_EQ(mw->on_request(req, reply), sdk::verdict::proceed);
// or through the C tables a descriptor exports, as the host would call them (instances.hpp,
// included below):
//     auto plugin = SLUICE_TESTING_LINKED_PLUGIN();   // the test links the plugin's source
//     auto mw = plugin.create_middleware(host, "t@file", config, errors);
//     EXPECT_EQ(mw.on_request(req, reply), sdk::verdict::proceed);
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "sluice/abi.h"
#include "sluice/sdk/plugin.hpp"
#include "sluice/sdk/testing/fake_balancer.hpp"
#include "sluice/sdk/text.hpp"

namespace sluice::sdk::testing {

// The fakes' host table: one for the process, as the host's.
inline const sluice_host_api* fake_api() noexcept;

class fake_host;

// One plugin object's link to a fake_host: who it is, for faults and metrics.
struct fake_link {
    fake_host* owner;
    std::string plugin, kind, instance;
};

// Records what plugins log, report and count. Is itself an sdk::host (plugin "test", kind
// "test", instance "test") for calling an author's create() directly; link() makes the
// link of one object created through a descriptor.
class fake_host : public sdk::host {
public:
    struct metric {
        const fake_link* owner;
        std::string type;  // "counter" | "gauge"
        std::string name, help;
        std::int64_t value = 0;
    };

    fake_host() : sdk::host(fake_api(), reinterpret_cast<sluice_host*>(&default_link_)) {}
    fake_host(const fake_host&) = delete;
    fake_host& operator=(const fake_host&) = delete;

    std::vector<std::pair<log_level, std::string>> lines;
    std::vector<std::string> faults;   // "<kind> <plugin> <instance> <hook>: <what>"
    log_level level = log_level::trace;  // log_enabled(l) is l >= level
    std::deque<metric> metrics;        // in registration order

    sdk::host link(std::string_view plugin, std::string_view kind, std::string_view instance) {
        links_.push_back({this, std::string(plugin), std::string(kind), std::string(instance)});
        return sdk::host(fake_api(), reinterpret_cast<sluice_host*>(&links_.back()));
    }

    // The value of metric `name` (of any object when `instance` is empty).
    std::optional<std::int64_t> metric_value(std::string_view name, std::string_view instance = {}) const {
        for (const auto& m : metrics)
            if (m.name == name && (instance.empty() || m.owner->instance == instance)) return m.value;
        return std::nullopt;
    }

private:
    fake_link default_link_{this, "test", "test", "test"};
    std::deque<fake_link> links_;  // stable addresses: plugins hold them
};

// Configuration errors as (key, message) pairs.
class collecting_errors : public sdk::error_sink {
public:
    collecting_errors() : sdk::error_sink(fake_api(), reinterpret_cast<sluice_error_sink*>(this)) {}
    collecting_errors(const collecting_errors&) = delete;
    collecting_errors& operator=(const collecting_errors&) = delete;

    std::vector<std::pair<std::string, std::string>> errors;

    // Every error as "key: message", one per line: for a failed assertion's message.
    std::string text() const {
        std::string out;
        for (const auto& [key, message] : errors) out += key + ": " + message + "\n";
        return out;
    }
};

// Ordered multi-map of header fields, as the host keeps them.
class fake_fields {
public:
    std::vector<std::pair<std::string, std::string>> fields;

    std::optional<std::string_view> find(std::string_view name) const noexcept {
        for (const auto& [k, v] : fields)
            if (iequals(k, name)) return std::string_view(v);
        return std::nullopt;
    }
    std::string_view get(std::string_view name) const noexcept { return find(name).value_or(std::string_view()); }
    bool has(std::string_view name) const noexcept { return find(name).has_value(); }
    void set(std::string_view name, std::string_view value) {
        erase(name);
        fields.emplace_back(name, value);
    }
    void add(std::string_view name, std::string_view value) { fields.emplace_back(name, value); }
    void erase(std::string_view name) {
        std::erase_if(fields, [&](const auto& f) { return iequals(f.first, name); });
    }
};

struct fake_request : sdk::request {
    fake_request() : sdk::request(fake_api(), reinterpret_cast<sluice_request*>(this)) {}
    fake_request(const fake_request&) = delete;
    fake_request& operator=(const fake_request&) = delete;

    std::string method_ = "GET";
    std::string target_ = "/";
    std::string routing_path_;  // the path part of target_ when empty
    std::string host_;
    std::string client_ip_ = "127.0.0.1";
    fake_fields headers;

    std::string_view routing_path_or_target() const noexcept {
        if (!routing_path_.empty()) return routing_path_;
        const std::string_view t = target_;
        return t.substr(0, t.find('?'));
    }
};

struct fake_response : sdk::response {
    fake_response() : sdk::response(fake_api(), reinterpret_cast<sluice_response*>(this)) {}
    fake_response(const fake_response&) = delete;
    fake_response& operator=(const fake_response&) = delete;

    std::uint16_t status_ = 200;
    fake_fields headers;
    bool detect_content_type_ = false;  // response::detect_content_type() was called
};

struct fake_local_reply : sdk::local_reply {
    fake_local_reply() : sdk::local_reply(fake_api(), reinterpret_cast<sluice_local_reply*>(this)) {}
    fake_local_reply(const fake_local_reply&) = delete;
    fake_local_reply& operator=(const fake_local_reply&) = delete;

    std::uint16_t status_ = 0;
    fake_fields headers;
    std::string body;
};
using fake_reply = fake_local_reply;

struct fake_document_sink : sdk::document_sink {
    fake_document_sink() : sdk::document_sink(fake_api(), reinterpret_cast<sluice_document_sink*>(this)) {}
    fake_document_sink(const fake_document_sink&) = delete;
    fake_document_sink& operator=(const fake_document_sink&) = delete;

    std::vector<std::string> documents;
};

namespace detail {

// The fake host table's functions: each turns the handle back into the fake it came from.
struct fake_api_functions {
    template <class Fake, class Handle>
    static Fake& as(Handle* h) noexcept {
        return *reinterpret_cast<Fake*>(const_cast<std::remove_const_t<Handle>*>(h));
    }
    static sluice_str str(std::string_view s) noexcept { return {s.data(), s.size()}; }
    static std::string_view view(sluice_str s) noexcept { return sdk::detail::from_c(s); }

    static void log(const sluice_host* h, std::uint32_t level, sluice_str message) noexcept {
        as<fake_link>(h).owner->lines.emplace_back(static_cast<log_level>(level), view(message));
    }
    static std::int32_t log_enabled(const sluice_host* h, std::uint32_t level) noexcept {
        return level >= static_cast<std::uint32_t>(as<fake_link>(h).owner->level) ? 1 : 0;
    }
    static void report_fault(const sluice_host* h, sluice_str hook, sluice_str what) noexcept {
        const fake_link& l = as<fake_link>(h);
        l.owner->faults.push_back(l.kind + " " + l.plugin + " " + l.instance + " " + std::string(view(hook)) + ": " +
                                  std::string(view(what)));
    }
    static void config_error(sluice_error_sink* sink, sluice_str key, sluice_str message) noexcept {
        as<collecting_errors>(sink).errors.emplace_back(view(key), view(message));
    }
    static sluice_metric* register_metric(sluice_host* h, const char* type, sluice_str name, sluice_str help) noexcept {
        fake_link& l = as<fake_link>(h);
        const std::string_view n = view(name);
        const bool valid = !n.empty() && std::all_of(n.begin(), n.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        });
        // As the host: one series per plugin, instance and name, which a name registered again
        // (by the object a reload makes for the same instance, say) continues.
        const auto same = std::find_if(l.owner->metrics.begin(), l.owner->metrics.end(), [&](const auto& m) {
            return m.owner->plugin == l.plugin && m.owner->instance == l.instance && m.name == n;
        });
        if (valid && same != l.owner->metrics.end() && same->type == type) return reinterpret_cast<sluice_metric*>(&*same);
        if (!valid || same != l.owner->metrics.end()) {
            l.owner->lines.emplace_back(log_level::error, "metric \"" + std::string(n) + "\" refused: " +
                                                              (valid ? "registered as another type" : "not [a-z0-9_]"));
            return nullptr;
        }
        l.owner->metrics.push_back({&l, type, std::string(n), std::string(view(help)), 0});
        return reinterpret_cast<sluice_metric*>(&l.owner->metrics.back());
    }
    static sluice_metric* counter(sluice_host* h, sluice_str name, sluice_str help) noexcept {
        return register_metric(h, "counter", name, help);
    }
    static sluice_metric* gauge(sluice_host* h, sluice_str name, sluice_str help) noexcept {
        return register_metric(h, "gauge", name, help);
    }
    // As the host: a counter only grows, and only a gauge is set.
    static void metric_add(sluice_metric* m, std::int64_t delta) noexcept {
        auto& metric = as<fake_host::metric>(m);
        if (metric.type == "gauge" || delta > 0) metric.value += delta;
    }
    static void metric_set(sluice_metric* m, std::int64_t value) noexcept {
        auto& metric = as<fake_host::metric>(m);
        if (metric.type == "gauge") metric.value = value;
    }

    static sluice_str request_method(const sluice_request* r) noexcept { return str(as<fake_request>(r).method_); }
    static sluice_str request_target(const sluice_request* r) noexcept { return str(as<fake_request>(r).target_); }
    static sluice_str request_routing_path(const sluice_request* r) noexcept {
        return str(as<fake_request>(r).routing_path_or_target());
    }
    static sluice_str request_host(const sluice_request* r) noexcept { return str(as<fake_request>(r).host_); }
    static sluice_str request_client_ip(const sluice_request* r) noexcept {
        return str(as<fake_request>(r).client_ip_);
    }
    static std::int32_t find(const fake_fields& f, sluice_str name, sluice_str* value) noexcept {
        const auto found = f.find(view(name));
        *value = str(found.value_or(std::string_view()));
        return found ? 1 : 0;
    }
    static void visit(const fake_fields& f, sluice_header_visitor visitor, void* context) noexcept {
        for (const auto& [k, v] : f.fields)
            if (!visitor(context, str(k), str(v))) return;
    }
    static std::int32_t request_header(const sluice_request* r, sluice_str name, sluice_str* value) noexcept {
        return find(as<fake_request>(r).headers, name, value);
    }
    static void request_visit_headers(const sluice_request* r, sluice_header_visitor v, void* c) noexcept {
        visit(as<fake_request>(r).headers, v, c);
    }
    static void request_set_target(sluice_request* r, sluice_str target) noexcept {
        auto& req = as<fake_request>(r);
        req.target_ = view(target);
        req.routing_path_.clear();
    }
    static void request_set_header(sluice_request* r, sluice_str n, sluice_str v) noexcept {
        as<fake_request>(r).headers.set(view(n), view(v));
    }
    static void request_add_header(sluice_request* r, sluice_str n, sluice_str v) noexcept {
        as<fake_request>(r).headers.add(view(n), view(v));
    }
    static void request_remove_header(sluice_request* r, sluice_str n) noexcept {
        as<fake_request>(r).headers.erase(view(n));
    }

    static std::uint16_t response_status(const sluice_response* r) noexcept { return as<fake_response>(r).status_; }
    static std::int32_t response_header(const sluice_response* r, sluice_str name, sluice_str* value) noexcept {
        return find(as<fake_response>(r).headers, name, value);
    }
    static void response_visit_headers(const sluice_response* r, sluice_header_visitor v, void* c) noexcept {
        visit(as<fake_response>(r).headers, v, c);
    }
    static void response_set_header(sluice_response* r, sluice_str n, sluice_str v) noexcept {
        as<fake_response>(r).headers.set(view(n), view(v));
    }
    static void response_add_header(sluice_response* r, sluice_str n, sluice_str v) noexcept {
        as<fake_response>(r).headers.add(view(n), view(v));
    }
    static void response_remove_header(sluice_response* r, sluice_str n) noexcept {
        as<fake_response>(r).headers.erase(view(n));
    }

    static void reply_set_status(sluice_local_reply* r, std::uint16_t status) noexcept {
        as<fake_local_reply>(r).status_ = status;
    }
    static void reply_set_header(sluice_local_reply* r, sluice_str n, sluice_str v) noexcept {
        as<fake_local_reply>(r).headers.set(view(n), view(v));
    }
    static void reply_set_body(sluice_local_reply* r, sluice_str body) noexcept {
        as<fake_local_reply>(r).body = view(body);
    }

    static std::int32_t filter_accept(const sluice_server_filter* f, std::int32_t server) noexcept {
        return as<fake_server_set::filter>(f).admits(server, false) ? 1 : 0;
    }
    static std::int32_t filter_accept_pinned(const sluice_server_filter* f, std::int32_t server) noexcept {
        return as<fake_server_set::filter>(f).admits(server, true) ? 1 : 0;
    }
    static void response_detect_content_type(sluice_response* r) noexcept {
        as<fake_response>(r).detect_content_type_ = true;
    }
    static std::int32_t inner_pick(sluice_inner_picker* p, const sluice_request* r,
                                   const sluice_server_filter* f) noexcept {
        return as<wrappable_picker>(p).inner_pick(r, f);
    }
    static void inner_on_response(sluice_inner_picker* p, const sluice_request* r, sluice_response* s,
                                  std::int32_t server) noexcept {
        as<wrappable_picker>(p).inner_on_response(r, s, server);
    }
    static void inner_on_attempt(sluice_inner_picker* p, const sluice_request* r, const sluice_attempt* a) noexcept {
        as<wrappable_picker>(p).inner_on_attempt(r, a);
    }

    static void publish(sluice_document_sink* s, sluice_str document) noexcept {
        as<fake_document_sink>(s).documents.emplace_back(view(document));
    }
};

inline constexpr sluice_host_api fake_api_table{
    sizeof(sluice_host_api),
    SLUICE_ABI_MAJOR,
    SLUICE_ABI_MINOR,
    &fake_api_functions::log,
    &fake_api_functions::log_enabled,
    &fake_api_functions::report_fault,
    &fake_api_functions::config_error,
    &fake_api_functions::counter,
    &fake_api_functions::gauge,
    &fake_api_functions::metric_add,
    &fake_api_functions::metric_set,
    &fake_api_functions::request_method,
    &fake_api_functions::request_target,
    &fake_api_functions::request_routing_path,
    &fake_api_functions::request_host,
    &fake_api_functions::request_client_ip,
    &fake_api_functions::request_header,
    &fake_api_functions::request_visit_headers,
    &fake_api_functions::request_set_target,
    &fake_api_functions::request_set_header,
    &fake_api_functions::request_add_header,
    &fake_api_functions::request_remove_header,
    &fake_api_functions::response_status,
    &fake_api_functions::response_header,
    &fake_api_functions::response_visit_headers,
    &fake_api_functions::response_set_header,
    &fake_api_functions::response_add_header,
    &fake_api_functions::response_remove_header,
    &fake_api_functions::reply_set_status,
    &fake_api_functions::reply_set_header,
    &fake_api_functions::reply_set_body,
    &fake_api_functions::filter_accept,
    &fake_api_functions::inner_pick,
    &fake_api_functions::inner_on_response,
    &fake_api_functions::inner_on_attempt,
    &fake_api_functions::publish,
    &fake_api_functions::filter_accept_pinned,
    &fake_api_functions::response_detect_content_type,
};

}  // namespace detail

inline const sluice_host_api* fake_api() noexcept { return &detail::fake_api_table; }

}  // namespace sluice::sdk::testing

// A test binary that compiles a plugin's source file directly (instead of loading the
// built library) reaches the plugin's exported entry: SLUICE_TESTING_LINKED_DESCRIPTOR()
// is its descriptor (const sluice_plugin*), SLUICE_TESTING_LINKED_PLUGIN() a loaded_plugin
// over it (instances.hpp). One plugin per test binary, since each defines the entry.
extern "C" SLUICE_EXPORT const sluice_plugin* sluice_plugin_entry(void);
#define SLUICE_TESTING_LINKED_DESCRIPTOR() (::sluice_plugin_entry())
#define SLUICE_TESTING_LINKED_PLUGIN() (::sluice::sdk::testing::loaded_plugin(SLUICE_TESTING_LINKED_DESCRIPTOR()))

#include "sluice/sdk/testing/instances.hpp"
