#include "control/document_check.hpp"

#include "config/static_config.hpp"
#include "control/configuration_watcher.hpp"
#include "control/snapshot_builder.hpp"

namespace sluice::control {

config::error_list check_document(const std::string& provider, const std::string& source,
                                  const std::string& document, bool shared_file,
                                  const plugin::plugin_registry& plugins, plugin::plugin_services& services,
                                  const std::vector<std::string>& entry_points) {
    config::dynamic_config parsed;
    try {
        parsed = parse_provider_document(provider, source, document, shared_file, plugins.balancer_wrappers());
    } catch (const config::config_exception& e) {
        return e.errors();
    }
    config::error_list errors = parsed.errors;
    auto snap = build_snapshot(parsed, plugins, services, entry_points, 0);
    snap->disabled.for_each([&](std::string_view, const std::string&, const config::error_list& list) {
        errors.insert(errors.end(), list.begin(), list.end());
    });
    return errors;
}

}  // namespace sluice::control
