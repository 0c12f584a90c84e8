// Traefik's command-line flags ("--entryPoints.web.address=:80", "--providers.docker") and
// TRAEFIK_* environment variables, read into settings and written as one TOML text in
// Traefik's shape (generated_toml: errors name the flag or the variable), which
// traefik_static.hpp then translates.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config_error.hpp"
#include "config/generated_toml.hpp"

namespace sluice::config {

// The top-level keys of Traefik's static configuration (lower-case): what a flag or a
// TRAEFIK_ variable must start with to be one of Traefik's.
bool is_traefik_root(std::string_view key);

// One flag or variable: its key path (segments as written) and its value ("true" for a bare
// flag), and what it was (for errors).
struct traefik_setting {
    std::vector<std::string> path;
    std::string value;
    origin from;
};

// "--a.b=value", "-a.b=value", "--a.b value" (the next argument, unless it starts with '-'),
// "--a.b" alone (true). Errors name the argument.
std::vector<traefik_setting> traefik_flags(const std::vector<std::string>& args, error_list& errors);
// TRAEFIK_<ROOT>_..._<KEY>=value from `environ` ("NAME=VALUE" strings): lower-cased, every
// '_' a level, as Traefik reads them; variables of no root of Traefik's are left out.
std::vector<traefik_setting> traefik_environment(const std::vector<std::string>& environ, error_list& errors);

// The settings as one TOML text. A setting whose key path leads to others' (`--providers.docker`
// with `--providers.docker.network=x`) is implied by them when true, and takes them away when
// false; a section switched on alone becomes an empty table. Keys are matched as Traefik does,
// whatever their case: the first spelling of a key is the one kept.
generated_toml traefik_settings_as_toml(const std::vector<traefik_setting>& settings, const std::string& name);

}  // namespace sluice::config
