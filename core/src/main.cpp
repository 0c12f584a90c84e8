// sluice: an HTTP reverse proxy and load balancer with plugin balancers, middlewares and providers.
#include <charconv>
#include <cstring>
#include <iostream>
#include <string_view>

#include "app.hpp"
#include "config/traefik_settings.hpp"
#include "scaffold/plugin_scaffold.hpp"
#include "sluice/abi.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0.0.0"
#endif

namespace {

constexpr std::string_view usage = R"(Usage:
  sluice [--config FILE] [--workers N] [TRAEFIK FLAGS]
                                         run the proxy
  sluice check [--config FILE]           validate the static and dynamic configuration;
                                         prints every error, exits 1 on any
  sluice plugins [--config FILE] [--plugin-dir DIR]...
                                         list the plugins found on the search path
                                         (name, kind, version, ABI); exits 1 if any was refused
  sluice healthcheck [--config FILE]     exit 0 when the [api] entry point answers /ping
  sluice migrate [--from FILE] [TRAEFIK FLAGS]
                                         print Sluice's own TOML for a static configuration
                                         in Traefik's forms (traefik.yml or .toml, flags,
                                         TRAEFIK_* variables); what is ignored, as comments
  sluice plugin new NAME --kind KIND [--dir DIR]
                                         write a plugin project to DIR/NAME (DIR: the current
                                         folder): CMake against the installed SDK, the
                                         plugin's source, its tests, a README. KIND is
                                         balancer, middleware or provider
  sluice --version | version | --help

Options:
  --config FILE     Sluice's static configuration (TOML); ./sluice.toml when no flag is
                    given and it exists. Otherwise Traefik's forms are read, in Traefik's
                    order and never merged: a traefik.toml, .yaml or .yml (--configfile FILE,
                    else the first in /etc/traefik/, $XDG_CONFIG_HOME/, $HOME/.config/, the
                    working folder), else Traefik's flags (--entryPoints.web.address=:80
                    --providers.docker --api.insecure=true ...), else TRAEFIK_* variables
  --workers N       worker threads, each with its own listener and upstream pools;
                    default: the number of CPU cores
  --plugin-dir DIR  search DIR for plugins instead of [plugins] paths (repeatable)

Plugins are searched in [plugins] paths, by default the lib/sluice/plugins folder next
to the binary's bin folder. Signals: SIGTERM/SIGINT finish in-flight requests within the
entry points' graceTimeOut and exit; SIGHUP re-reads the file provider.
)";

// A flag of Traefik's static configuration: its first key is one of Traefik's roots.
bool is_traefik_flag(std::string_view arg) {
    if (!arg.starts_with("-")) return false;
    while (arg.starts_with("-")) arg.remove_prefix(1);
    return sluice::config::is_traefik_root(arg.substr(0, arg.find_first_of(".=")));
}

int fail(std::string_view message) {
    std::cerr << "sluice: " << message << "\n\n" << usage;
    return 2;
}

// sluice plugin new NAME --kind KIND [--dir DIR]; argv[i] is the word after "plugin".
int plugin_command(int argc, char** argv, int i) {
    if (i >= argc || std::string_view(argv[i]) != "new") return fail("plugin: the command is \"plugin new NAME\"");
    std::string_view name, kind;
    std::filesystem::path dir = ".";
    for (++i; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
        if (arg == "--help" || arg == "-h") {
            std::cout << usage;
            return 0;
        } else if (arg == "--kind" || arg == "--dir") {
            if (!value) return fail(std::string(arg) + " needs a value");
            if (arg == "--kind") kind = value;
            else dir = value;
            ++i;
        } else if (!arg.starts_with("-") && name.empty()) {
            name = arg;
        } else {
            return fail("plugin new: unknown argument \"" + std::string(arg) + "\"");
        }
    }
    if (name.empty()) return fail("plugin new needs a NAME");
    if (kind.empty()) return fail("plugin new needs --kind balancer, middleware or provider");
    try {
        const auto root = sluice::scaffold::write_plugin_project(name, kind, dir);
        std::cout << "wrote " << root.string() << ": a " << kind << " plugin named " << name << "\n"
                  << "build and test it against an installed sluice:\n"
                  << "  cmake -S " << root.string() << " -B " << (root / "build").string()
                  << " -DCMAKE_PREFIX_PATH=<sluice prefix>\n"
                  << "  cmake --build " << (root / "build").string() << " && ctest --test-dir "
                  << (root / "build").string() << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "sluice: plugin new: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace

int main(int argc, char** argv) {
    sluice::options opts;
    std::string_view command = "run";
    int i = 1;
    if (argc > 1 && argv[1][0] != '-') command = argv[i++];
    if (command == "plugin") return plugin_command(argc, argv, i);
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
        } else if (arg == "--from" && command == "migrate") {
            const char* v = value();
            if (!v) return fail("--from needs a file");
            if (!std::filesystem::is_regular_file(v)) return fail("--from: cannot read " + std::string(v));
            opts.traefik_args.push_back("--configfile=" + std::string(v));
        } else if (arg == "--plugin-dir") {
            const char* v = value();
            if (!v) return fail("--plugin-dir needs a folder");
            opts.plugin_dirs.emplace_back(v);
        } else if (is_traefik_flag(arg)) {
            opts.traefik_args.emplace_back(arg);
            // "--key value": the value goes with its flag.
            if (arg.find('=') == std::string_view::npos && i + 1 < argc && argv[i + 1][0] != '-')
                opts.traefik_args.emplace_back(argv[++i]);
        } else {
            return fail("unknown argument \"" + std::string(arg) + "\"");
        }
    }
    if (opts.config && !opts.traefik_args.empty())
        return fail("--config is Sluice's own file: give it or Traefik's flags (" + opts.traefik_args.front() +
                    "), not both");
    if (command == "run") return sluice::run_proxy(opts);
    if (command == "check") return sluice::run_check(opts);
    if (command == "healthcheck") return sluice::run_healthcheck(opts);
    if (command == "plugins") return sluice::run_plugins(opts);
    if (command == "migrate") {
        if (opts.config) return fail("migrate reads Traefik's forms: --from FILE or Traefik's flags");
        return sluice::run_migrate(opts);
    }
    if (command == "version") {
        std::cout << "sluice " << SLUICE_VERSION << " (plugin ABI " << SLUICE_ABI_MAJOR << "." << SLUICE_ABI_MINOR << ")\n";
        return 0;
    }
    return fail("unknown command \"" + std::string(command) + "\"");
}
