// Declaration macros: one line at namespace scope of a plugin's source file defines the
// plugin's descriptor and its one exported symbol,
//     extern "C" const sluice_plugin* sluice_plugin_entry(void);
// The plugin's own types are plain classes (they derive from nothing of the SDK's). The SDK
// generates the C function tables of sluice/abi.h from them (declare_glue.hpp); each
// generated function keeps the host link next to the author's object, builds the views
// (sdk::request, ...) and catches whatever the author's code throws, so that nothing but C
// crosses the boundary.
//
// Every plugin type T provides
//     static std::unique_ptr<T> create(sdk::host& host, std::string_view instance,
//                                      std::string_view config, sdk::error_sink& errors);
// returning nullptr after reporting errors (sdk::config_reader in config_reader.hpp reads
// `config` and reports its errors with key paths). `host` stays valid for the object's life
// (keep the reference or copy it); `errors` only during the call. `instance` names the
// configured object ("strip-api@file"). Then, by kind:
//
//   middleware (SLUICE_DECLARE_MIDDLEWARE). One object serves every worker at once: hooks
//   must be thread-safe and should not block.
//     sdk::verdict on_request(sdk::request&, sdk::local_reply&);
//     void on_response(const sdk::request&, sdk::response&);                     (optional)
//   With per-request state, T declares `using request_state = S;` and the hooks become
//     sdk::verdict on_request(sdk::request&, sdk::local_reply&, sdk::state_slot<S>& state);
//     void on_response(const sdk::request&, sdk::response&, S* state);           (optional)
//   state.emplace(...) allocates an S for this request only when the hook asks for one;
//   on_response receives it (nullptr when none was stored) and the SDK deletes it when the
//   request is over (sluice_middleware_ops::end_request). on_response may also return
//   sdk::verdict (proceed, or failed for a 500) instead of void.
//
//   balancer (SLUICE_DECLARE_BALANCER for a strategy, SLUICE_DECLARE_WRAPPING_BALANCER for
//   a wrapper). Creation runs on the control thread.
//     std::unique_ptr<P> create_picker(const sdk::server_set&, sdk::error_sink&);
//   where the picker P is immutable and called from every worker at once (lock-free, no
//   allocation on the way):
//     std::int32_t pick(const sdk::request&, const sdk::server_filter&);
//     void on_response(const sdk::request&, sdk::response&, std::int32_t server);  (optional)
//     void on_attempt(const sdk::request&, const sdk::attempt&);                   (optional)
//   The server_set (its servers and, for a wrapper, its inner picker) stays valid for the
//   picker's life. Every picker is destroyed before the balancer that made it.
//
//   Destructors of every kind may run on a worker thread: the last request under an older
//   configuration lets go of it there (sluice/abi.h).
//
//   provider (SLUICE_DECLARE_PROVIDER). Owns its threads; control thread.
//     bool start(sdk::document_sink&);   // returns promptly; false after logging why not
//     void stop();                       // joins what start began
//   The sink stays valid until stop() returns.
//
// An optional hook the type lacks becomes a NULL entry in the table, so the host skips the
// call. A hook that is declared (once, not as a template) with the wrong signature is a
// compile error rather than a silent NULL.
//
// Failure. Every hook may throw. An exception from create() or create_picker() becomes a
// configuration error naming the plugin and the instance ("plugin \"x\" (instance
// a@file) threw: <what>"). One from any other hook is reported to the host
// (sluice_host_api::report_fault, which counts and logs it) and the hook returns what
// sluice/abi.h prescribes: pick returns pick_failed (the host chooses another server),
// on_request and on_response return verdict::failed (the host answers 500), start returns
// false; the others return nothing. The proxy keeps serving.
#pragma once

#include "sluice/abi.h"
#include "sluice/sdk/declare_glue.hpp"
#include "sluice/sdk/plugin.hpp"

// The macros' common part. `name_`, `version_`, `summary_` and `example_` are string
// literals: the name configuration uses, the plugin's version, one line for `sluice
// plugins`, and a TOML table body showing every option.
#define SLUICE_DETAIL_DECLARE(Type, glue_, role_, name_, version_, summary_, example_)                    \
    namespace {                                                                                         \
    struct sluice_plugin_identity {                                                                     \
        static constexpr const char* name = name_;                                                      \
    };                                                                                                  \
    }                                                                                                   \
    extern "C" SLUICE_EXPORT const sluice_plugin* sluice_plugin_entry(void) {                           \
        static constexpr sluice_plugin descriptor =                                                     \
            ::sluice::sdk::detail::describe<::sluice::sdk::detail::glue_<Type, sluice_plugin_identity>>( \
                role_, name_, version_, summary_, example_);                                            \
        return &descriptor;                                                                             \
    }

#define SLUICE_DECLARE_BALANCER(Type, name_, version_, summary_, example_)                                   \
    SLUICE_DETAIL_DECLARE(Type, balancer_glue, ::sluice::sdk::balancer_role::strategy, name_, version_, summary_, \
                          example_)

// A balancer that wraps the service's strategy (sdk::balancer_role::wrapper): its pickers
// receive the strategy's picker as server_set::inner.
#define SLUICE_DECLARE_WRAPPING_BALANCER(Type, name_, version_, summary_, example_)                         \
    SLUICE_DETAIL_DECLARE(Type, balancer_glue, ::sluice::sdk::balancer_role::wrapper, name_, version_, summary_, \
                          example_)

#define SLUICE_DECLARE_MIDDLEWARE(Type, name_, version_, summary_, example_)                                   \
    SLUICE_DETAIL_DECLARE(Type, middleware_glue, ::sluice::sdk::balancer_role::strategy, name_, version_, summary_, \
                          example_)

#define SLUICE_DECLARE_PROVIDER(Type, name_, version_, summary_, example_)                                   \
    SLUICE_DETAIL_DECLARE(Type, provider_glue, ::sluice::sdk::balancer_role::strategy, name_, version_, summary_, \
                          example_)
