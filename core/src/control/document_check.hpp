// `sluice check`: a provider's documents through the same parse, merge and build as a
// reload, once, without publishing anything.
#pragma once

#include <string>
#include <vector>

#include "config/config_error.hpp"
#include "control/file_provider.hpp"
#include "plugin/plugin_registry.hpp"

namespace sluice::control {

// Every error: a document that does not parse, an object defined twice, and every object
// the build disables. The documents are checked together (a router in one file may use a
// service of another), in the order given.
config::error_list check_documents(const std::string& provider, const std::vector<file_document>& documents,
                                   bool shared_file, const plugin::plugin_registry& plugins,
                                   plugin::plugin_services& services, const std::vector<std::string>& entry_points);

}  // namespace sluice::control
