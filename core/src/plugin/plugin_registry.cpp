#include "plugin/plugin_registry.hpp"

#include <algorithm>

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <boost/system/error_code.hpp>

#include "config/config_error.hpp"
#include "sluice/sdk/loading.hpp"

namespace sluice::plugin {

namespace dll = boost::dll;

std::filesystem::path default_plugin_folder() {
    return dll::program_location().parent_path().parent_path() / "lib" / "sluice" / "plugins";
}

plugin_registry plugin_registry::scan(const std::vector<std::filesystem::path>& folders) {
    plugin_registry registry;
    for (const auto& folder : folders) {
        std::error_code ec;
        if (!std::filesystem::is_directory(folder, ec)) {
            registry.refusals_.push_back(folder.string() + ": plugin folder does not exist");
            continue;
        }
        std::vector<std::filesystem::path> files;
        for (const auto& entry : std::filesystem::directory_iterator(folder, ec))
            if (entry.path().extension() == ".so") files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        for (const auto& file : files) registry.load_file(file);
    }
    return registry;
}

void plugin_registry::load_file(const std::filesystem::path& file) {
    const std::string where = file.string() + ": ";
    auto library = std::make_shared<dll::shared_library>();
    boost::system::error_code ec;
    // Local scope keeps plugins' symbols apart; immediate binding fails a missing symbol now.
    library->load(file, dll::load_mode::rtld_local | dll::load_mode::rtld_now, ec);
    if (ec) {
        refusals_.push_back(where + "cannot be loaded: " + ec.message());
        return;
    }
    const auto entry = sdk::find_entry(library->native(), "this sluice");
    if (!entry.function) {
        refusals_.push_back(where + entry.problem);
        return;
    }
    const sluice_plugin* d = entry.function();
    // The same checks as the SDK's test harness, so what passes an author's tests loads here.
    if (const std::string why = sdk::descriptor_problem(d, "this sluice"); !why.empty()) {
        refusals_.push_back(where + why);
        return;
    }
    if (const loaded_plugin* other = find(d->name)) {
        refusals_.push_back(where + "plugin name \"" + d->name + "\" is already provided by " + other->file.string());
        return;
    }
    plugins_.push_back({file, d, std::move(library)});
}

namespace {

// The object `instance` of `p` through its `Ops` table, with a host link of its own.
template <class Object, class Ops>
Object create_object(const Ops* ops, const loaded_plugin& p, plugin_services& services, std::string_view instance,
                     std::string_view config, sluice_error_sink& errors) {
    auto link = services.link(p.name(), p.kind_name(), instance);
    void* self = ops->create(&host_api(), link.get(), to_str(instance), to_str(config), &errors);
    if (!self) return {};
    return {ops, self, std::move(link), p.library};
}

}  // namespace

balancer_object create_balancer(const loaded_plugin& p, plugin_services& services, std::string_view instance,
                                std::string_view config, sluice_error_sink& errors) {
    return create_object<balancer_object>(p.descriptor->balancer, p, services, instance, config, errors);
}

middleware_object create_middleware(const loaded_plugin& p, plugin_services& services, std::string_view instance,
                                    std::string_view config, sluice_error_sink& errors) {
    return create_object<middleware_object>(p.descriptor->middleware, p, services, instance, config, errors);
}

provider_object create_provider(const loaded_plugin& p, plugin_services& services, std::string_view instance,
                                std::string_view config, sluice_error_sink& errors) {
    return create_object<provider_object>(p.descriptor->provider, p, services, instance, config, errors);
}

picker_object create_picker(const balancer_object& balancer, const loaded_plugin& p,
                            const std::vector<sluice_server_info>& servers, sluice_inner_picker* inner,
                            sluice_error_sink& errors) {
    const sluice_balancer_ops* ops = balancer.ops();
    void* self = ops->create_picker(balancer.get(), servers.data(), servers.size(), inner, &errors);
    if (!self) return {};
    return {ops, self, nullptr, p.library};
}

std::vector<std::string> plugin_registry::balancer_wrappers() const {
    std::vector<std::string> names;
    for (const auto& p : plugins_)
        if (p.wraps()) names.emplace_back(p.name());
    return names;
}

const loaded_plugin* plugin_registry::find(std::string_view name) const noexcept {
    for (const auto& p : plugins_)
        if (config::iequals(p.name(), name)) return &p;
    return nullptr;
}

}  // namespace sluice::plugin
