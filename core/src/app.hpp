// The three things the binary does: run the proxy, check a configuration, list plugins.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sluice {

struct options {
    std::optional<std::filesystem::path> config;  // --config; otherwise Traefik's forms, then ./sluice.toml
    std::vector<std::string> traefik_args;        // Traefik's flags (--entryPoints.web.address=:80 ...)
    std::optional<std::size_t> workers;
    std::vector<std::filesystem::path> plugin_dirs;  // `plugins` only
};

int run_proxy(const options& opts);
int run_check(const options& opts);
int run_plugins(const options& opts);
// Prints Sluice's own TOML for a configuration given in one of Traefik's forms.
int run_migrate(const options& opts);
// Exits 0 when the API entry point of the configuration answers /ping with 200.
int run_healthcheck(const options& opts);

}  // namespace sluice
