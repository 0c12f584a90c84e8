// The three things the binary does: run the proxy, check a configuration, list plugins.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

namespace sluice {

struct options {
    std::filesystem::path config;
    std::optional<std::size_t> workers;
    std::vector<std::filesystem::path> plugin_dirs;  // `plugins` only
};

int run_proxy(const options& opts);
int run_check(const options& opts);
int run_plugins(const options& opts);
// Exits 0 when the API entry point of the configuration answers /ping with 200.
int run_healthcheck(const options& opts);

}  // namespace sluice
