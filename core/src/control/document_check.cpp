#include "control/document_check.hpp"

#include "config/static_config.hpp"
#include "control/configuration_watcher.hpp"
#include "control/snapshot_builder.hpp"

namespace sluice::control {

config::error_list check_documents(const std::string& provider, const std::vector<file_document>& documents,
                                   bool shared_file, const plugin::plugin_registry& plugins,
                                   plugin::plugin_services& services, const std::vector<std::string>& entry_points) {
    config::error_list errors;
    config::dynamic_config merged;
    for (const auto& doc : documents) {
        try {
            config::merge_into(merged,
                               parse_provider_document(provider, doc.path.string(), doc.text, shared_file,
                                                       plugins.balancer_wrappers()),
                               &errors);
        } catch (const config::config_exception& e) {
            errors.insert(errors.end(), e.errors().begin(), e.errors().end());
        }
    }
    errors.insert(errors.end(), merged.errors.begin(), merged.errors.end());
    auto snap = build_snapshot(merged, plugins, services, entry_points, 0);
    snap->disabled.for_each([&](std::string_view, const std::string&, const config::error_list& list) {
        errors.insert(errors.end(), list.begin(), list.end());
    });
    return errors;
}

}  // namespace sluice::control
