// The glue behind the declaration macros of declare.hpp: from a plugin's own type T, the
// C function tables of sluice/abi.h (middleware_glue, balancer_glue, provider_glue) and the
// descriptor that points at them (describe). Each generated function turns the C handles
// into the SDK's views, calls T's hook and catches whatever it throws, so that nothing but C
// crosses the boundary. What T must or may provide, and what a failing hook returns, is
// documented in declare.hpp, which includes this header; plugin code uses its macros.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "sluice/abi.h"
#include "sluice/sdk/plugin.hpp"

namespace sluice::sdk::detail {

// Inside a catch block: the message of the exception in flight. Valid until that block ends.
inline std::string_view exception_message() noexcept {
    try {
        throw;
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "an exception that is not a std::exception";
    }
}

// Inside a catch block of a hook: the host counts and logs the fault.
inline void report_fault(const host& h, std::string_view hook) noexcept {
    h.api()->report_fault(h.handle(), to_c(hook), to_c(exception_message()));
}

// Inside a catch block of create or create_picker: the exception becomes a configuration error.
inline void refuse(const sluice_host_api* api, sluice_error_sink* errors, std::string_view plugin,
                   std::string_view instance) noexcept {
    const std::string_view what = exception_message();
    try {
        const std::string message = "plugin \"" + std::string(plugin) + "\" (instance " + std::string(instance) +
                                    ") threw: " + std::string(what);
        api->config_error(errors, to_c({}), to_c(message));
    } catch (...) {
        api->config_error(errors, to_c({}), to_c(what));
    }
}

struct no_extra {};

// What the host holds as a plugin object: the host link, then the author's object, which
// is destroyed first and may still log on its way out.
template <class T, class Extra = no_extra>
struct object_box {
    object_box(const sluice_host_api* api, sluice_host* link, std::string_view instance_name)
        : host(api, link), instance(instance_name) {}

    sdk::host host;
    std::string instance;
    [[no_unique_address]] Extra extra{};
    std::unique_ptr<T> impl;
};

template <class T>
concept creatable = requires(sdk::host& h, std::string_view s, error_sink& e) {
    { T::create(h, s, s, e) } -> std::same_as<std::unique_ptr<T>>;
};

template <class T, class Box, class Identity>
void* create_object(const sluice_host_api* api, sluice_host* link, sluice_str instance, sluice_str config,
                    sluice_error_sink* errors) noexcept {
    static_assert(creatable<T>,
                  "a plugin type needs static std::unique_ptr<T> create(sdk::host&, std::string_view instance, "
                  "std::string_view config, sdk::error_sink&)");
    error_sink sink(api, errors);
    try {
        auto box = std::make_unique<Box>(api, link, from_c(instance));
        box->impl = T::create(box->host, from_c(instance), from_c(config), sink);
        return box->impl ? box.release() : nullptr;
    } catch (...) {
        refuse(api, errors, Identity::name, from_c(instance));
        return nullptr;
    }
}

template <class Box>
void destroy_object(void* object) noexcept {
    delete static_cast<Box*>(object);
}

// ---- middlewares ----------------------------------------------------------------------

template <class T>
struct request_state_of {
    using type = void;
};
template <class T>
    requires requires { typename T::request_state; }
struct request_state_of<T> {
    using type = typename T::request_state;
};

template <class T, class Identity>
struct middleware_glue {
    static constexpr plugin_kind kind = plugin_kind::middleware;
    using box = object_box<T>;
    using state = typename request_state_of<T>::type;
    static constexpr bool stateful = !std::is_void_v<state>;

    static constexpr bool response_with_state = stateful && requires(T& t, const request& q, response& r, state* s) {
        t.on_response(q, r, s);
    };
    static constexpr bool response_plain = requires(T& t, const request& q, response& r) { t.on_response(q, r); };
    static constexpr bool has_on_response = response_with_state || response_plain;
    static_assert(has_on_response || !requires { &T::on_response; },
                  "a middleware's on_response takes (const sdk::request&, sdk::response&), and a stateful one's "
                  "(const sdk::request&, sdk::response&, request_state*)");

    static std::uint32_t on_request(void* object, sluice_request* r, sluice_local_reply* l, void** slot) noexcept {
        auto& b = *static_cast<box*>(object);
        try {
            request req(b.host.api(), r);
            local_reply reply(b.host.api(), l);
            if constexpr (stateful) {
                static_assert(requires(T& t, request& q, local_reply& p, state_slot<state>& s) {
                    { t.on_request(q, p, s) } -> std::same_as<verdict>;
                }, "a stateful middleware's on_request is sdk::verdict on_request(sdk::request&, sdk::local_reply&, "
                   "sdk::state_slot<request_state>&)");
                state_slot<state> s(slot);
                return static_cast<std::uint32_t>(b.impl->on_request(req, reply, s));
            } else {
                static_assert(requires(T& t, request& q, local_reply& p) {
                    { t.on_request(q, p) } -> std::same_as<verdict>;
                }, "a middleware's on_request is sdk::verdict on_request(sdk::request&, sdk::local_reply&)");
                (void)slot;
                return static_cast<std::uint32_t>(b.impl->on_request(req, reply));
            }
        } catch (...) {
            report_fault(b.host, "on_request");
            return SLUICE_FAILED;
        }
    }

    static std::uint32_t on_response(void* object, const sluice_request* r, sluice_response* s, void* st) noexcept {
        auto& b = *static_cast<box*>(object);
        try {
            const request req = request::borrow(b.host.api(), r);
            response resp(b.host.api(), s);
            const auto call = [&] {
                if constexpr (response_with_state) return b.impl->on_response(req, resp, static_cast<state*>(st));
                else if constexpr (response_plain) return b.impl->on_response(req, resp);
            };
            if constexpr (std::is_same_v<decltype(call()), verdict>) {
                return static_cast<std::uint32_t>(call());
            } else {
                call();
                return SLUICE_PROCEED;
            }
        } catch (...) {
            report_fault(b.host, "on_response");
            return SLUICE_FAILED;
        }
    }

    static void end_request(void*, void* st) noexcept {
        if constexpr (stateful) delete static_cast<state*>(st);
    }

    static constexpr sluice_middleware_ops ops{
        sizeof(sluice_middleware_ops),
        &create_object<T, box, Identity>,
        &destroy_object<box>,
        &on_request,
        has_on_response ? &on_response : nullptr,
        stateful ? &end_request : nullptr,
    };
};

// ---- balancers ------------------------------------------------------------------------

template <class T, class Identity>
struct balancer_glue {
    static constexpr plugin_kind kind = plugin_kind::balancer;
    using box = object_box<T>;

    static_assert(requires(T& t, const server_set& s, error_sink& e) { t.create_picker(s, e); },
                  "a balancer needs std::unique_ptr<P> create_picker(const sdk::server_set&, sdk::error_sink&)");
    using picker_ptr =
        decltype(std::declval<T&>().create_picker(std::declval<const server_set&>(), std::declval<error_sink&>()));
    using picker_type = typename picker_ptr::element_type;
    static_assert(std::is_same_v<picker_ptr, std::unique_ptr<picker_type>>,
                  "create_picker returns a std::unique_ptr to the picker");
    static_assert(requires(picker_type& p, const request& q, const server_filter& f) {
        { p.pick(q, f) } -> std::convertible_to<std::int32_t>;
    }, "a picker needs std::int32_t pick(const sdk::request&, const sdk::server_filter&)");

    static constexpr bool has_on_response = requires(picker_type& p, const request& q, response& r, std::int32_t i) {
        p.on_response(q, r, i);
    };
    static constexpr bool has_on_attempt = requires(picker_type& p, const request& q, const attempt& a) {
        p.on_attempt(q, a);
    };
    static_assert(has_on_response || !requires { &picker_type::on_response; },
                  "a picker's on_response takes (const sdk::request&, sdk::response&, std::int32_t server)");
    static_assert(has_on_attempt || !requires { &picker_type::on_attempt; },
                  "a picker's on_attempt takes (const sdk::request&, const sdk::attempt&)");

    // The picker with what it was given: its server_set must outlive it.
    struct picker_box {
        picker_box(const sdk::host& h, const sluice_server_info* servers, std::size_t count,
                   sluice_inner_picker* inner)
            : host(h) {
            infos.reserve(count);
            for (std::size_t i = 0; i < count; ++i) infos.push_back({from_c(servers[i].url), servers[i].weight});
            set = server_set{infos, inner_picker(h.api(), inner)};
        }

        sdk::host host;
        std::vector<server_info> infos;
        server_set set;
        std::unique_ptr<picker_type> impl;
    };

    static void* create_picker(void* object, const sluice_server_info* servers, std::size_t count,
                               sluice_inner_picker* inner, sluice_error_sink* errors) noexcept {
        auto& b = *static_cast<box*>(object);
        try {
            auto p = std::make_unique<picker_box>(b.host, servers, count, inner);
            error_sink sink(b.host.api(), errors);
            p->impl = b.impl->create_picker(p->set, sink);
            return p->impl ? p.release() : nullptr;
        } catch (...) {
            refuse(b.host.api(), errors, Identity::name, b.instance);
            return nullptr;
        }
    }

    static std::int32_t pick(void* picker, const sluice_request* r, const sluice_server_filter* f) noexcept {
        auto& p = *static_cast<picker_box*>(picker);
        try {
            return p.impl->pick(request::borrow(p.host.api(), r), server_filter(p.host.api(), f));
        } catch (...) {
            report_fault(p.host, "pick");
            return SLUICE_PICK_FAILED;
        }
    }

    static void on_response(void* picker, const sluice_request* r, sluice_response* s, std::int32_t server) noexcept {
        auto& p = *static_cast<picker_box*>(picker);
        if constexpr (has_on_response) {
            try {
                response resp(p.host.api(), s);
                p.impl->on_response(request::borrow(p.host.api(), r), resp, server);
            } catch (...) {
                report_fault(p.host, "on_response");
            }
        }
    }

    static void on_attempt(void* picker, const sluice_request* r, const sluice_attempt* a) noexcept {
        auto& p = *static_cast<picker_box*>(picker);
        if constexpr (has_on_attempt) {
            try {
                p.impl->on_attempt(request::borrow(p.host.api(), r), attempt::from_c(*a));
            } catch (...) {
                report_fault(p.host, "on_attempt");
            }
        }
    }

    static constexpr sluice_balancer_ops ops{
        sizeof(sluice_balancer_ops),
        &create_object<T, box, Identity>,
        &destroy_object<box>,
        &create_picker,
        &destroy_object<picker_box>,
        &pick,
        has_on_response ? &on_response : nullptr,
        has_on_attempt ? &on_attempt : nullptr,
    };
};

// ---- providers ------------------------------------------------------------------------

template <class T, class Identity>
struct provider_glue {
    static constexpr plugin_kind kind = plugin_kind::provider;
    // The sink start() received, kept until stop() returns.
    using box = object_box<T, document_sink>;

    static_assert(requires(T& t, document_sink& s) {
        { t.start(s) } -> std::convertible_to<bool>;
        t.stop();
    }, "a provider needs bool start(sdk::document_sink&) and void stop()");

    static std::int32_t start(void* object, sluice_document_sink* sink) noexcept {
        auto& b = *static_cast<box*>(object);
        try {
            b.extra = document_sink(b.host.api(), sink);
            return b.impl->start(b.extra) ? 1 : 0;
        } catch (...) {
            report_fault(b.host, "start");
            return 0;
        }
    }

    static void stop(void* object) noexcept {
        auto& b = *static_cast<box*>(object);
        try {
            b.impl->stop();
        } catch (...) {
            report_fault(b.host, "stop");
        }
    }

    static constexpr sluice_provider_ops ops{
        sizeof(sluice_provider_ops), &create_object<T, box, Identity>, &destroy_object<box>, &start, &stop,
    };
};

// The descriptor of a plugin whose tables `Glue` generates.
template <class Glue>
constexpr sluice_plugin describe(balancer_role role, const char* name, const char* version, const char* summary,
                                 const char* example_config) noexcept {
    sluice_plugin d{sizeof(sluice_plugin),
                    SLUICE_ABI_MAJOR,
                    SLUICE_ABI_MINOR,
                    static_cast<std::uint32_t>(Glue::kind),
                    static_cast<std::uint32_t>(role),
                    name,
                    version,
                    summary,
                    example_config,
                    nullptr,
                    nullptr,
                    nullptr};
    if constexpr (Glue::kind == plugin_kind::balancer) d.balancer = &Glue::ops;
    else if constexpr (Glue::kind == plugin_kind::middleware) d.middleware = &Glue::ops;
    else d.provider = &Glue::ops;
    return d;
}

}  // namespace sluice::sdk::detail
