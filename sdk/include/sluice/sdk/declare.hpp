// Declaration macros: one line at namespace scope of a plugin's source file exports its
// descriptor. The plugin's own types are plain classes (they derive from nothing of the
// SDK's); the SDK wraps them in adapters that implement the boundary's interfaces, so that
// nothing the author's code throws ever crosses it.
//
// Every plugin type provides
//     static std::unique_ptr<T> create(sluice::sdk::host&, std::string_view instance,
//                                      std::string_view config, sluice::sdk::error_sink&);
// returning nullptr after reporting errors (sdk::config_reader in config_reader.hpp reads
// `config` and reports its errors with key paths). Then, by kind:
//   middleware: sdk::verdict on_request(sdk::request&, sdk::local_reply&);
//               void on_response(const sdk::request&, sdk::response&);            (optional)
//   balancer:   std::unique_ptr<P> create_picker(const sdk::server_set&, sdk::error_sink&);
//               where P has std::int32_t pick(const sdk::request&, const sdk::server_filter&)
//               and optionally void on_response(const sdk::request&, sdk::response&, std::int32_t)
//   provider:   bool start(sdk::document_sink&); void stop();
// These may throw. An exception from create() becomes a configuration error naming the
// plugin and the instance ("... threw: <what>"); one from any other hook is reported to the
// host (sdk::host::report_fault), which answers the request with 500 (a middleware) or
// chooses another server (a balancer's pick), and keeps serving.
#pragma once

#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <boost/dll/alias.hpp>

#include "sluice/sdk/plugin.hpp"

namespace sluice::sdk::detail {

// Who a fault belongs to: the plugin, its kind and the configured instance.
class fault_context {
public:
    fault_context(host& h, std::string_view plugin, plugin_kind kind, std::string_view instance)
        : host_(&h), plugin_(plugin), kind_(to_string(kind)), instance_(instance) {}

    // Called from inside a catch block: reports the exception in flight.
    void report(std::string_view hook) const noexcept {
        try {
            throw;
        } catch (const std::exception& e) {
            host_->report_fault({plugin_, kind_, instance_, hook, e.what()});
        } catch (...) {
            host_->report_fault({plugin_, kind_, instance_, hook, "an exception that is not a std::exception"});
        }
    }

    // Called from inside a catch block of a factory: the exception becomes a configuration error.
    void refuse(error_sink& errors) const noexcept {
        const std::string_view what = [] {
            try {
                throw;
            } catch (const std::exception& e) {
                return std::string_view(e.what());
            } catch (...) {
                return std::string_view("an exception that is not a std::exception");
            }
        }();
        try {
            errors.error("", "plugin \"" + std::string(plugin_) + "\" (instance " + instance_ + ") threw: " +
                                 std::string(what));
        } catch (...) {
            errors.error("", what);
        }
    }

private:
    host* host_;
    std::string_view plugin_;  // static storage: the declaration's literal
    std::string_view kind_;
    std::string instance_;
};

template <class T>
class middleware_adapter final : public middleware {
public:
    middleware_adapter(std::unique_ptr<T> impl, fault_context context)
        : impl_(std::move(impl)), context_(std::move(context)) {}

    verdict on_request(request& req, local_reply& reply) noexcept override {
        try {
            return impl_->on_request(req, reply);
        } catch (...) {
            context_.report("on_request");
            return verdict::failed;
        }
    }
    verdict on_response(const request& req, response& resp) noexcept override {
        if constexpr (requires(T& t) { t.on_response(req, resp); }) {
            try {
                impl_->on_response(req, resp);
            } catch (...) {
                context_.report("on_response");
                return verdict::failed;
            }
        }
        return verdict::proceed;
    }
    void release() noexcept override { delete this; }

private:
    std::unique_ptr<T> impl_;
    fault_context context_;
};

template <class P>
class picker_adapter final : public picker {
public:
    picker_adapter(std::unique_ptr<P> impl, fault_context context)
        : impl_(std::move(impl)), context_(std::move(context)) {}

    std::int32_t pick(const request& req, const server_filter& filter) noexcept override {
        try {
            return impl_->pick(req, filter);
        } catch (...) {
            context_.report("pick");
            return pick_failed;
        }
    }
    void on_response(const request& req, response& resp, std::int32_t server) noexcept override {
        if constexpr (requires(P& p) { p.on_response(req, resp, server); }) {
            try {
                impl_->on_response(req, resp, server);
            } catch (...) {
                context_.report("on_response");
            }
        }
    }
    void release() noexcept override { delete this; }

private:
    std::unique_ptr<P> impl_;
    fault_context context_;
};

template <class T>
class balancer_adapter final : public balancer {
public:
    balancer_adapter(std::unique_ptr<T> impl, fault_context context)
        : impl_(std::move(impl)), context_(std::move(context)) {}

    picker* create_picker(const server_set& servers, error_sink& errors) noexcept override {
        try {
            auto p = impl_->create_picker(servers, errors);
            if (!p) return nullptr;
            using picker_type = typename decltype(p)::element_type;
            return new picker_adapter<picker_type>(std::move(p), context_);
        } catch (...) {
            context_.refuse(errors);
            return nullptr;
        }
    }
    void release() noexcept override { delete this; }

private:
    std::unique_ptr<T> impl_;
    fault_context context_;
};

template <class T>
class provider_adapter final : public provider {
public:
    provider_adapter(std::unique_ptr<T> impl, fault_context context)
        : impl_(std::move(impl)), context_(std::move(context)) {}

    bool start(document_sink& sink) noexcept override {
        try {
            return impl_->start(sink);
        } catch (...) {
            context_.report("start");
            return false;
        }
    }
    void stop() noexcept override {
        try {
            impl_->stop();
        } catch (...) {
            context_.report("stop");
        }
    }
    void release() noexcept override { delete this; }

private:
    std::unique_ptr<T> impl_;
    fault_context context_;
};

// The factory a descriptor exports: creates the author's object and wraps it. `Identity`
// carries the plugin's name (`static constexpr const char* name`).
template <class Interface, template <class> class Adapter, class T, class Identity, plugin_kind Kind>
Interface* guarded_create(host& h, std::string_view instance, std::string_view config, error_sink& errors) noexcept {
    std::unique_ptr<fault_context> context;
    try {
        context = std::make_unique<fault_context>(h, Identity::name, Kind, instance);
        auto impl = T::create(h, instance, config, errors);
        if (!impl) return nullptr;
        return new Adapter<T>(std::move(impl), std::move(*context));
    } catch (...) {
        if (context) context->refuse(errors);
        else errors.error("", "out of memory while creating the plugin object");
    }
    return nullptr;
}

template <class T, class Identity>
inline constexpr balancer_factory balancer_factory_for =
    &guarded_create<balancer, balancer_adapter, T, Identity, plugin_kind::balancer>;
template <class T, class Identity>
inline constexpr middleware_factory middleware_factory_for =
    &guarded_create<middleware, middleware_adapter, T, Identity, plugin_kind::middleware>;
template <class T, class Identity>
inline constexpr provider_factory provider_factory_for =
    &guarded_create<provider, provider_adapter, T, Identity, plugin_kind::provider>;

}  // namespace sluice::sdk::detail

#define SLUICE_DETAIL_DECLARE(kind_, bal_, mid_, prov_, role_, name_, version_, summary_, example_) \
    namespace {                                                                                \
    struct sluice_plugin_identity {                                                            \
        static constexpr const char* name = name_;                                             \
    };                                                                                         \
    const ::sluice::sdk::plugin_descriptor* sluice_plugin_descriptor() noexcept {              \
        static const ::sluice::sdk::plugin_descriptor descriptor{                              \
            sizeof(::sluice::sdk::plugin_descriptor), ::sluice::sdk::abi_major,                \
            ::sluice::sdk::abi_minor, ::sluice::sdk::build_signature, kind_, name_, version_,  \
            summary_, example_, bal_, mid_, prov_, role_};                                     \
        return &descriptor;                                                                    \
    }                                                                                          \
    }                                                                                          \
    BOOST_DLL_ALIAS(sluice_plugin_descriptor, sluice_plugin_entry)

#define SLUICE_DECLARE_BALANCER(Type, name_, version_, summary_, example_)                      \
    SLUICE_DETAIL_DECLARE(::sluice::sdk::plugin_kind::balancer,                                \
                          (::sluice::sdk::detail::balancer_factory_for<Type, sluice_plugin_identity>), \
                          nullptr, nullptr, ::sluice::sdk::balancer_role::strategy, name_, version_,   \
                          summary_, example_)

// A balancer that wraps the service's strategy (sdk::balancer_role::wrapper): its pickers
// receive the strategy's picker as server_set::inner.
#define SLUICE_DECLARE_WRAPPING_BALANCER(Type, name_, version_, summary_, example_)             \
    SLUICE_DETAIL_DECLARE(::sluice::sdk::plugin_kind::balancer,                                \
                          (::sluice::sdk::detail::balancer_factory_for<Type, sluice_plugin_identity>), \
                          nullptr, nullptr, ::sluice::sdk::balancer_role::wrapper, name_, version_,    \
                          summary_, example_)

#define SLUICE_DECLARE_MIDDLEWARE(Type, name_, version_, summary_, example_)                    \
    SLUICE_DETAIL_DECLARE(::sluice::sdk::plugin_kind::middleware, nullptr,                     \
                          (::sluice::sdk::detail::middleware_factory_for<Type, sluice_plugin_identity>), \
                          nullptr, ::sluice::sdk::balancer_role::strategy, name_, version_, summary_, example_)

#define SLUICE_DECLARE_PROVIDER(Type, name_, version_, summary_, example_)                      \
    SLUICE_DETAIL_DECLARE(::sluice::sdk::plugin_kind::provider, nullptr, nullptr,              \
                          (::sluice::sdk::detail::provider_factory_for<Type, sluice_plugin_identity>), \
                          ::sluice::sdk::balancer_role::strategy, name_, version_, summary_, example_)
