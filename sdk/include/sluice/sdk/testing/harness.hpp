// Loads a built plugin library the way a host must, through the C API alone, so that a
// test can check the library itself: its exported entry, its descriptor, and its objects
// created through the C tables with the fakes as host (instances.hpp).
//
//     auto library = plugin_library::open("build/lib/sluice/plugins/stripprefix.so");
//     ASSERT_TRUE(library) << library.error();
//     fake_host host; collecting_errors errors;
//     auto mw = library.plugin().create_middleware(host, "strip@file", "prefixes = [\"/api\"]", errors);
//
// What open() checks, in order, is what a host checks before calling anything behind the
// descriptor; error() says which check failed, naming the file and both sides' values.
// POSIX (dlopen) and ELF (the entry's symbol type) only. Not thread-safe.
#pragma once

#include <dlfcn.h>
#include <link.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "sluice/abi.h"
#include "sluice/sdk/testing/fakes.hpp"

namespace sluice::sdk::testing {

// The sizes of ABI 4.0's structs: a plugin of any 4.x minor provides at least these.
inline constexpr std::size_t descriptor_size_4_0 = offsetof(sluice_plugin, provider) + sizeof(void*);
inline constexpr std::size_t balancer_ops_size_4_0 = offsetof(sluice_balancer_ops, on_attempt) + sizeof(void*);
inline constexpr std::size_t middleware_ops_size_4_0 = offsetof(sluice_middleware_ops, end_request) + sizeof(void*);
inline constexpr std::size_t provider_ops_size_4_0 = offsetof(sluice_provider_ops, stop) + sizeof(void*);

// Why a host must refuse this descriptor, or "" when it may use it. The version fields are
// read first: every ABI keeps them at the same offsets, and nothing else in a descriptor of
// another major means what this header says.
inline std::string descriptor_problem(const sluice_plugin* d) {
    const auto version = [](unsigned major, unsigned minor) {
        return std::to_string(major) + "." + std::to_string(minor);
    };
    if (!d) return "its entry returned no descriptor";
    if (d->abi_major != SLUICE_ABI_MAJOR)
        return "built for plugin ABI " + version(d->abi_major, d->abi_minor) + ", this host speaks ABI " +
               version(SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR);
    if (d->abi_minor > SLUICE_ABI_MINOR)
        return "needs plugin ABI " + version(d->abi_major, d->abi_minor) + ", newer than this host's ABI " +
               version(SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR);
    if (d->struct_size < descriptor_size_4_0)
        return "its descriptor has " + std::to_string(d->struct_size) + " bytes, fewer than ABI " +
               version(SLUICE_ABI_MAJOR, 0) + "'s " + std::to_string(descriptor_size_4_0);
    if (!d->name || !*d->name) return "its descriptor has no name";
    if (!d->version || !d->summary || !d->example_config) return "its descriptor lacks a version, summary or example";
    const int tables = (d->balancer != nullptr) + (d->middleware != nullptr) + (d->provider != nullptr);
    switch (d->kind) {
        case SLUICE_KIND_BALANCER: {
            const auto* o = d->balancer;
            if (!o || tables != 1) return "a balancer must set exactly its balancer table";
            if (o->struct_size < balancer_ops_size_4_0) return "its balancer table is shorter than ABI 4.0's";
            if (!o->create || !o->destroy || !o->create_picker || !o->destroy_picker || !o->pick)
                return "its balancer table lacks a required function";
            if (d->role != SLUICE_ROLE_STRATEGY && d->role != SLUICE_ROLE_WRAPPER)
                return "its role " + std::to_string(d->role) + " is neither strategy nor wrapper";
            return "";
        }
        case SLUICE_KIND_MIDDLEWARE: {
            const auto* o = d->middleware;
            if (!o || tables != 1) return "a middleware must set exactly its middleware table";
            if (o->struct_size < middleware_ops_size_4_0) return "its middleware table is shorter than ABI 4.0's";
            if (!o->create || !o->destroy || !o->on_request) return "its middleware table lacks a required function";
            return d->role == 0 ? "" : "a middleware's role must be 0";
        }
        case SLUICE_KIND_PROVIDER: {
            const auto* o = d->provider;
            if (!o || tables != 1) return "a provider must set exactly its provider table";
            if (o->struct_size < provider_ops_size_4_0) return "its provider table is shorter than ABI 4.0's";
            if (!o->create || !o->destroy || !o->start || !o->stop) return "its provider table lacks a required function";
            return d->role == 0 ? "" : "a provider's role must be 0";
        }
        default: return "its kind " + std::to_string(d->kind) + " is not balancer, middleware or provider";
    }
}

// One plugin library, loaded with local symbol scope and immediate binding (a missing
// symbol fails here, not mid-request). A library that passed every check stays loaded until
// the process exits, as in the host, which never unloads a library while anything it
// created lives; a refused one is unloaded at once, since nothing behind its entry was called.
class plugin_library {
public:
    static plugin_library open(const std::string& path) {
        plugin_library lib;
        lib.path_ = path;
        dlerror();
        void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            const char* why = dlerror();
            lib.error_ = path + ": cannot be loaded: " + (why ? why : "unknown error");
            return lib;
        }
        const auto refuse = [&](const std::string& why) {
            lib.error_ = path + ": " + why;
            dlclose(handle);
            return std::move(lib);
        };
        void* entry = dlsym(handle, SLUICE_PLUGIN_ENTRY);
        if (!entry) return refuse("not a sluice plugin (it exports no \"" SLUICE_PLUGIN_ENTRY "\")");
        // An ABI 3 plugin exports a data symbol of that name; calling it would jump into data.
        Dl_info info{};
        void* symbol = nullptr;
        if (!dladdr1(entry, &info, &symbol, RTLD_DL_SYMENT) || !symbol ||
            symbol_type(static_cast<const ElfW(Sym)*>(symbol)->st_info) != STT_FUNC)
            return refuse("\"" SLUICE_PLUGIN_ENTRY "\" is not a function: a plugin built for plugin ABI 3 or older "
                          "(this host speaks ABI " +
                          std::to_string(SLUICE_ABI_MAJOR) + "." + std::to_string(SLUICE_ABI_MINOR) + ")");
        const auto entry_fn = reinterpret_cast<sluice_plugin_entry_fn>(reinterpret_cast<std::uintptr_t>(entry));
        const sluice_plugin* d = entry_fn();
        if (const std::string why = descriptor_problem(d); !why.empty()) return refuse(why);
        lib.descriptor_ = d;
        return lib;
    }

    // Loaded and every check passed.
    explicit operator bool() const noexcept { return descriptor_ != nullptr; }
    // Why open() refused the library: "<path>: <reason>".
    const std::string& error() const noexcept { return error_; }
    const std::string& path() const noexcept { return path_; }

    // Only for a library that passed (operator bool).
    const sluice_plugin* descriptor() const noexcept { return descriptor_; }
    loaded_plugin plugin() const noexcept { return loaded_plugin(descriptor_); }

private:
    static unsigned symbol_type(unsigned char info) noexcept {
#if __ELF_NATIVE_CLASS == 64
        return ELF64_ST_TYPE(info);
#else
        return ELF32_ST_TYPE(info);
#endif
    }

    std::string path_;
    std::string error_;
    const sluice_plugin* descriptor_ = nullptr;
};

}  // namespace sluice::sdk::testing
