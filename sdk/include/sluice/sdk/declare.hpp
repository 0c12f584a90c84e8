// Declaration macros: one line at namespace scope of a plugin's source file exports its
// descriptor. The plugin type provides
//     static std::unique_ptr<T> create(sluice::sdk::host&, std::string_view instance,
//                                      std::string_view config, sluice::sdk::error_sink&);
// returning nullptr after reporting errors. Exceptions thrown by create() are caught and
// reported as configuration errors; nothing crosses the boundary.
#pragma once

#include <exception>
#include <memory>
#include <string_view>

#include <boost/dll/alias.hpp>

#include "sluice/sdk/plugin.hpp"

namespace sluice::sdk {

// Base for plugin objects: release() destroys the most-derived object inside the plugin.
template <class Interface>
class owned_by_plugin : public Interface {
public:
    owned_by_plugin() = default;
    owned_by_plugin(const owned_by_plugin&) = delete;
    owned_by_plugin& operator=(const owned_by_plugin&) = delete;
    virtual ~owned_by_plugin() = default;
    void release() noexcept final { delete this; }
};

namespace detail {

template <class Interface, class T>
Interface* guarded_create(host& h, std::string_view instance, std::string_view config,
                          error_sink& errors) noexcept {
    try {
        return T::create(h, instance, config, errors).release();
    } catch (const std::exception& e) {
        errors.error("", e.what());
    } catch (...) {
        errors.error("", "the plugin threw an unknown exception while starting");
    }
    return nullptr;
}

}  // namespace detail
}  // namespace sluice::sdk

#define SLUICE_DETAIL_DECLARE(kind_, bal_, mid_, prov_, name_, version_, summary_, example_)      \
    namespace {                                                                                \
    const ::sluice::sdk::plugin_descriptor* sluice_plugin_descriptor() noexcept {              \
        static const ::sluice::sdk::plugin_descriptor descriptor{                              \
            sizeof(::sluice::sdk::plugin_descriptor), ::sluice::sdk::abi_major,                \
            ::sluice::sdk::abi_minor, ::sluice::sdk::build_signature, kind_, name_, version_,  \
            summary_, example_, bal_, mid_, prov_};                                            \
        return &descriptor;                                                                    \
    }                                                                                          \
    }                                                                                          \
    BOOST_DLL_ALIAS(sluice_plugin_descriptor, sluice_plugin_entry)

#define SLUICE_DECLARE_BALANCER(Type, name_, version_, summary_, example_)                      \
    SLUICE_DETAIL_DECLARE(::sluice::sdk::plugin_kind::balancer,                                \
                          (&::sluice::sdk::detail::guarded_create<::sluice::sdk::balancer, Type>), \
                          nullptr, nullptr, name_, version_, summary_, example_)

#define SLUICE_DECLARE_MIDDLEWARE(Type, name_, version_, summary_, example_)                    \
    SLUICE_DETAIL_DECLARE(::sluice::sdk::plugin_kind::middleware, nullptr,                     \
                          (&::sluice::sdk::detail::guarded_create<::sluice::sdk::middleware, Type>), \
                          nullptr, name_, version_, summary_, example_)

#define SLUICE_DECLARE_PROVIDER(Type, name_, version_, summary_, example_)                      \
    SLUICE_DETAIL_DECLARE(::sluice::sdk::plugin_kind::provider, nullptr, nullptr,              \
                          (&::sluice::sdk::detail::guarded_create<::sluice::sdk::provider, Type>), \
                          name_, version_, summary_, example_)
