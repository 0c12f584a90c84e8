// Traefik's static configuration in Traefik's shape (from flags and variables,
// traefik_settings.hpp, or from traefik.toml / .yaml / .yml) translated into Sluice's native
// shape with Traefik's defaults, for the one static parser (static_config.hpp).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "config/config_error.hpp"

namespace sluice::config {

// Translates, in place, a static configuration in Traefik's shape into Sluice's, with
// Traefik's defaults: with no entry point, `http` on :80; `api.insecure`, `ping` and
// `metrics.prometheus` serve on the `traefik` entry point (:8080 unless defined), which is
// Sluice's API listener; the Docker provider reads labels under `traefik.`. Keys Sluice has
// no use for are taken out with a warning; keys whose absence would change what is secure
// or served (TLS, ACME, PROXY protocol, redirections, entry point middlewares, other
// providers) are errors that say so. `source` names the form for errors without a line.
// A relative providers.file.filename or directory is read from `working_folder`, as Traefik does.
void translate_traefik_static(toml::table& root, const std::string& source, const std::filesystem::path& working_folder,
                              error_list& errors, std::vector<std::string>& warnings);

}  // namespace sluice::config
