// Traefik's forms of the static configuration: command-line flags ("--entryPoints.web.address=:80",
// "--providers.docker"), TRAEFIK_* environment variables, and traefik.toml / .yaml / .yml
// files. Each is read into one TOML table in Traefik's shape, then translated into Sluice's
// native shape with Traefik's defaults, for the one static parser (static_config.hpp).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

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

// Translates, in place, a static configuration in Traefik's shape into Sluice's, with
// Traefik's defaults: with no entry point, `http` on :80; `api.insecure`, `ping` and
// `metrics.prometheus` serve on the `traefik` entry point (:8080 unless defined), which is
// Sluice's API listener; the Docker provider reads labels under `traefik.`. Keys Sluice has
// no use for are taken out with a warning; keys whose absence would change what is secure
// or served (TLS, ACME, PROXY protocol, redirections, entry point middlewares, other
// providers) are errors that say so. `source` names the form for errors without a line.
// A relative providers.file.filename is read from `working_folder`, as Traefik does.
void translate_traefik_static(toml::table& root, const std::string& source, const std::filesystem::path& working_folder,
                              error_list& errors, std::vector<std::string>& warnings);

}  // namespace sluice::config
