// YAML documents (Traefik's traefik.yml, dynamic configuration files) read with yaml-cpp and
// written as TOML (generated_toml.hpp), so that one parser and one set of checks read every
// form and an error names the YAML file's own line.
#pragma once

#include <string>
#include <string_view>

#include "config/generated_toml.hpp"

namespace sluice::config {

// The document's mappings become tables, its sequences arrays (of inline tables when they
// hold mappings), its plain scalars booleans, integers or floats when they read as such and
// strings otherwise; quoted scalars are strings. Null values are left out, as Traefik does
// (`docker: {}` switches a section on, `docker:` does not). Throws config_exception for a
// YAML syntax error or a document that is not a mapping.
generated_toml yaml_as_toml(std::string_view text, const std::string& file);

}  // namespace sluice::config
