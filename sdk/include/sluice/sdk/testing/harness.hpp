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

#include <string>
#include <string_view>
#include <utility>

#include "sluice/abi.h"
#include "sluice/sdk/loading.hpp"
#include "sluice/sdk/testing/fakes.hpp"

namespace sluice::sdk::testing {

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
        const auto entry = sdk::find_entry(handle);
        if (!entry.function) return refuse(entry.problem);
        const sluice_plugin* d = entry.function();
        if (const std::string why = sdk::descriptor_problem(d); !why.empty()) return refuse(why);
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
    std::string path_;
    std::string error_;
    const sluice_plugin* descriptor_ = nullptr;
};

}  // namespace sluice::sdk::testing
