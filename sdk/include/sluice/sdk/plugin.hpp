// The plugin descriptor (sluice_plugin in sluice/abi.h) as C++ sees it: its kinds and roles
// as enums, and the name of the one symbol a plugin exports. Plugins do not fill a
// descriptor by hand: the SLUICE_DECLARE_* macros (declare.hpp) generate it.
#pragma once

#include <cstdint>
#include <string_view>

#include "sluice/abi.h"
#include "sluice/sdk/abi.hpp"
#include "sluice/sdk/balancer.hpp"
#include "sluice/sdk/host.hpp"
#include "sluice/sdk/middleware.hpp"
#include "sluice/sdk/provider.hpp"

namespace sluice::sdk {

enum class plugin_kind : std::uint32_t {
    balancer = SLUICE_KIND_BALANCER,
    middleware = SLUICE_KIND_MIDDLEWARE,
    provider = SLUICE_KIND_PROVIDER,
};

constexpr std::string_view to_string(plugin_kind kind) noexcept {
    switch (kind) {
        case plugin_kind::balancer: return "balancer";
        case plugin_kind::middleware: return "middleware";
        case plugin_kind::provider: return "provider";
    }
    return "unknown";
}

// What a balancer plugin is to a service (the descriptor's `role`).
enum class balancer_role : std::uint32_t {
    // Picks among the servers: `loadBalancer.strategy = "<name>"`, its options in the table
    // `loadBalancer.<name>`.
    strategy = SLUICE_ROLE_STRATEGY,
    // Wraps the strategy's picker, which it receives as server_set::inner (sticky sessions,
    // for one): switched on by a table `loadBalancer.<name>`, its options. Several wrappers
    // on one service nest in the order the host loaded them, the first around the strategy.
    wrapper = SLUICE_ROLE_WRAPPER,
};

// The one symbol a plugin library exports: `extern "C" const sluice_plugin*
// sluice_plugin_entry(void)`, defined by the SLUICE_DECLARE_* macros.
inline constexpr const char* entry_symbol = SLUICE_PLUGIN_ENTRY;

}  // namespace sluice::sdk
