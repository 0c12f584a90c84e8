// `sluice check`: one provider document through the same parse and build as a reload,
// once, without publishing anything.
#pragma once

#include <string>
#include <vector>

#include "config/config_error.hpp"
#include "plugin/plugin_registry.hpp"

namespace sluice::control {

// Every error: a document that does not parse, and every object the build disables.
config::error_list check_document(const std::string& provider, const std::string& source,
                                  const std::string& document, bool shared_file,
                                  const plugin::plugin_registry& plugins, plugin::plugin_services& services,
                                  const std::vector<std::string>& entry_points);

}  // namespace sluice::control
