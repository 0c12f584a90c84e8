// The plugin descriptor: the one thing a plugin library exports.
//
// The host reads struct_size, abi_major, abi_minor and build_signature before anything
// else; those four fields keep their offsets in every ABI version. Fields are only ever
// appended, with an abi_minor bump.
#pragma once

#include <cstdint>
#include <string_view>

#include "sluice/sdk/abi.hpp"
#include "sluice/sdk/balancer.hpp"
#include "sluice/sdk/host.hpp"
#include "sluice/sdk/middleware.hpp"
#include "sluice/sdk/provider.hpp"

namespace sluice::sdk {

enum class plugin_kind : std::uint32_t { balancer = 1, middleware = 2, provider = 3 };

constexpr std::string_view to_string(plugin_kind kind) noexcept {
    switch (kind) {
        case plugin_kind::balancer: return "balancer";
        case plugin_kind::middleware: return "middleware";
        case plugin_kind::provider: return "provider";
    }
    return "unknown";
}

// What a balancer plugin is to a service (a balancer descriptor's `role`, ABI 3.1).
enum class balancer_role : std::uint32_t {
    // Picks among the servers: `loadBalancer.strategy = "<name>"`, its options in the table
    // `loadBalancer.<name>`.
    strategy = 0,
    // Wraps the strategy's picker, which it receives as server_set::inner (sticky sessions,
    // for one): switched on by a table `loadBalancer.<name>`, its options. Several wrappers
    // on one service nest in the order the host loaded them, the first around the strategy.
    wrapper = 1,
};

// Factories receive the plugin's own TOML table as text, validate it once and return an
// owned object (destroyed by its release()), or nullptr after reporting every error to
// `errors`. `instance` names the configured object ("strip-api@file") for messages.
// sdk::config_reader (config_reader.hpp) reads the text on the plugin's side.
using balancer_factory = balancer* (*)(host& h, std::string_view instance, std::string_view config,
                                       error_sink& errors) noexcept;
using middleware_factory = middleware* (*)(host& h, std::string_view instance, std::string_view config,
                                           error_sink& errors) noexcept;
using provider_factory = provider* (*)(host& h, std::string_view instance, std::string_view config,
                                       error_sink& errors) noexcept;

struct plugin_descriptor {
    std::uint32_t struct_size;
    std::uint16_t abi_major;
    std::uint16_t abi_minor;
    const char* build_signature;
    plugin_kind kind;
    const char* name;            // the name configuration uses: strategy = "<name>", [<name>] tables
    const char* version;
    const char* summary;         // one line for `sluice plugins`
    const char* example_config;  // a TOML table body showing every option
    // Exactly the factory matching `kind` is set.
    balancer_factory create_balancer;
    middleware_factory create_middleware;
    provider_factory create_provider;
    // ABI 3.1, appended: read only when struct_size covers it; a 3.0 balancer is a strategy.
    balancer_role role;
};

// The exported alias every plugin defines (through the SLUICE_DECLARE_* macros).
inline constexpr const char* entry_symbol = "sluice_plugin_entry";
using entry_function = const plugin_descriptor*() noexcept;

}  // namespace sluice::sdk
