// Where the static configuration comes from. Sluice's own file (--config, or ./sluice.toml
// when no flag is given), or one of Traefik's forms, tried in Traefik's order (they are never
// merged): a traefik.toml / .yaml / .yml file (--configfile, else the first found in
// /etc/traefik/, $XDG_CONFIG_HOME/, $HOME/.config/, the working folder), else Traefik's
// flags, else TRAEFIK_* environment variables. Every form gives one static_config through
// the same parser.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/static_config.hpp"

namespace sluice::config {

struct static_sources {
    std::optional<std::filesystem::path> config;  // sluice's --config
    std::vector<std::string> traefik_args;        // Traefik's flags, in order
    std::vector<std::string> environment;         // "NAME=VALUE"
    std::filesystem::path working_folder = ".";
};

struct loaded_static_config {
    static_config cfg;
    std::string form;  // what it was read from: a file's path, "flags", "environment variables"
    std::vector<std::string> warnings;  // keys ignored, flags not used
    std::optional<toml::table> native;  // one of Traefik's forms, translated into Sluice's (migrate)
};

// Throws config_exception with every error, each naming its file and line, flag or variable.
loaded_static_config load_static(const static_sources& sources);

// Traefik's file when one of Traefik's forms is a file: --configfile (if it exists), then
// traefik.toml, .yaml, .yml in each of Traefik's folders in turn.
std::optional<std::filesystem::path> find_traefik_file(const static_sources& sources);

// A static configuration in one of Traefik's forms (a file's table, or the table of the
// flags or variables) into a static_config; `source` names it in errors.
// `native`, when given, receives the translated table. Relative paths are read from
// `working_folder`, as Traefik does.
static_config parse_traefik_static(toml::table root, const std::string& source, const std::filesystem::path& working_folder,
                                   std::vector<std::string>& warnings, toml::table* native = nullptr);

// Sluice's own TOML for a configuration read in one of Traefik's forms (`sluice migrate`):
// the translated table, relative file paths made absolute, what was ignored in comments.
std::string native_toml(const loaded_static_config& loaded);

}  // namespace sluice::config
