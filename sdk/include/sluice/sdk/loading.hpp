// What a host checks of a loaded plugin library before calling anything in it: that its
// entry is a function (find_entry), then its descriptor (descriptor_problem). Sluice's
// loader and the SDK's test harness (testing/harness.hpp) both use these, so a library the
// harness accepts is one sluice loads, and one it refuses is refused for the same reason.
// POSIX (dlsym) and ELF (the entry's symbol type).
#pragma once

#include <dlfcn.h>
#include <link.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/abi.h"

namespace sluice::sdk {

// A library's entry function, or why a host must not call what it exports.
struct plugin_entry {
    sluice_plugin_entry_fn function = nullptr;
    std::string problem;  // "" when `function` is set
};

// The entry of a library opened with dlopen(). `host` names the host in the message. An ABI 3
// plugin exports a data symbol of the entry's name (a pointer to its function, Boost.DLL's
// alias): calling it would jump into data, so only an ELF function symbol is taken.
inline plugin_entry find_entry(void* library, std::string_view host = "this host") {
    void* entry = dlsym(library, SLUICE_PLUGIN_ENTRY);
    if (!entry) return {nullptr, "not a sluice plugin (it exports no \"" SLUICE_PLUGIN_ENTRY "\")"};
    Dl_info info{};
    void* symbol = nullptr;
    const auto type = [](unsigned char st_info) -> unsigned {
#if __ELF_NATIVE_CLASS == 64
        return ELF64_ST_TYPE(st_info);
#else
        return ELF32_ST_TYPE(st_info);
#endif
    };
    if (!dladdr1(entry, &info, &symbol, RTLD_DL_SYMENT) || !symbol ||
        type(static_cast<const ElfW(Sym)*>(symbol)->st_info) != STT_FUNC)
        return {nullptr, "\"" SLUICE_PLUGIN_ENTRY "\" is not a function: a plugin built for plugin ABI 3 or older (" +
                             std::string(host) + " speaks ABI " + std::to_string(SLUICE_ABI_MAJOR) + "." +
                             std::to_string(SLUICE_ABI_MINOR) + ")"};
    return {reinterpret_cast<sluice_plugin_entry_fn>(reinterpret_cast<std::uintptr_t>(entry)), ""};
}

// The sizes of ABI 4.0's structs: a plugin of any 4.x minor provides at least these. A host
// of a later minor reads an appended field only when struct_size covers it.
inline constexpr std::size_t descriptor_size_4_0 = offsetof(sluice_plugin, provider) + sizeof(void*);
inline constexpr std::size_t balancer_ops_size_4_0 = offsetof(sluice_balancer_ops, on_attempt) + sizeof(void*);
inline constexpr std::size_t middleware_ops_size_4_0 = offsetof(sluice_middleware_ops, end_request) + sizeof(void*);
inline constexpr std::size_t provider_ops_size_4_0 = offsetof(sluice_provider_ops, stop) + sizeof(void*);

// Why a host must refuse this descriptor, or "" when it may use it. `host` names the host in
// the message ("this sluice"). The version fields are read first: every ABI keeps them at
// the same offsets, and nothing else in a descriptor of another major means what this
// header says.
inline std::string descriptor_problem(const sluice_plugin* d, std::string_view host = "this host") {
    const auto version = [](unsigned major, unsigned minor) {
        return std::to_string(major) + "." + std::to_string(minor);
    };
    const std::string ours = version(SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR);
    if (!d) return "its entry returned no descriptor";
    if (d->struct_size < offsetof(sluice_plugin, abi_minor) + sizeof d->abi_minor)
        return "its descriptor has " + std::to_string(d->struct_size) + " bytes, too few to hold its ABI version";
    if (d->abi_major != SLUICE_ABI_MAJOR)
        return "built for plugin ABI " + version(d->abi_major, d->abi_minor) + ", " + std::string(host) +
               " speaks ABI " + ours + " (the major versions differ)";
    if (d->abi_minor > SLUICE_ABI_MINOR)
        return "needs plugin ABI " + version(d->abi_major, d->abi_minor) + ", newer than " + std::string(host) +
               "'s ABI " + ours;
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

}  // namespace sluice::sdk
