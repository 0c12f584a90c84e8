// sluice: an HTTP reverse proxy and load balancer with plugin balancers, middlewares and providers.
#include <charconv>
#include <cstring>
#include <iostream>
#include <string_view>

#include "app.hpp"
#include "sluice/abi.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0.0.0"
#endif

namespace {

constexpr std::string_view usage = R"(Usage:
  sluice [--config FILE] [--workers N]   run the proxy
  sluice check [--config FILE]           validate the static and dynamic configuration;
                                         prints every error, exits 1 on any
  sluice plugins [--config FILE] [--plugin-dir DIR]...
                                         list the plugins found on the search path
                                         (name, kind, version, ABI); exits 1 if any was refused
  sluice healthcheck [--config FILE]     exit 0 when the [api] entry point answers /ping
  sluice --version | --help

Options:
  --config FILE     static configuration (TOML); default ./sluice.toml
  --workers N       worker threads, each with its own listener and upstream pools;
                    default: the number of CPU cores
  --plugin-dir DIR  search DIR for plugins instead of [plugins] paths (repeatable)

Plugins are searched in [plugins] paths, by default the lib/sluice/plugins folder next
to the binary's bin folder. Signals: SIGTERM/SIGINT finish in-flight requests within the
entry points' graceTimeOut and exit; SIGHUP re-reads the file provider.
)";

int fail(std::string_view message) {
    std::cerr << "sluice: " << message << "\n\n" << usage;
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    sluice::options opts;
    opts.config = "sluice.toml";
    std::string_view command = "run";
    int i = 1;
    if (argc > 1 && argv[1][0] != '-') command = argv[i++];
    for (; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        if (arg == "--help" || arg == "-h") {
            std::cout << usage;
            return 0;
        } else if (arg == "--version") {
            std::cout << "sluice " << SLUICE_VERSION << " (plugin ABI " << SLUICE_ABI_MAJOR << "." << SLUICE_ABI_MINOR
                      << ")\n";
            return 0;
        } else if (arg == "--config") {
            const char* v = value();
            if (!v) return fail("--config needs a file");
            opts.config = v;
        } else if (arg == "--workers") {
            const char* v = value();
            std::size_t n = 0;
            if (!v || std::from_chars(v, v + std::strlen(v), n).ec != std::errc{} || n == 0 || n > 256)
                return fail("--workers needs a number from 1 to 256");
            opts.workers = n;
        } else if (arg == "--plugin-dir") {
            const char* v = value();
            if (!v) return fail("--plugin-dir needs a folder");
            opts.plugin_dirs.emplace_back(v);
        } else {
            return fail("unknown argument \"" + std::string(arg) + "\"");
        }
    }
    if (command == "run") return sluice::run_proxy(opts);
    if (command == "check") return sluice::run_check(opts);
    if (command == "healthcheck") return sluice::run_healthcheck(opts);
    if (command == "plugins") {
        if (opts.config == "sluice.toml" && !std::filesystem::exists(opts.config)) opts.config.clear();
        return sluice::run_plugins(opts);
    }
    return fail("unknown command \"" + std::string(command) + "\"");
}
