#include "plugin/plugin_registry.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <boost/system/error_code.hpp>

#include "config/config_error.hpp"

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
    if (!library->has(sdk::entry_symbol)) {
        refusals_.push_back(where + "not a sluice plugin (it exports no \"" + std::string(sdk::entry_symbol) + "\")");
        return;
    }
    auto entry = library->get_alias<const sdk::plugin_descriptor*()>(sdk::entry_symbol);
    const sdk::plugin_descriptor* d = entry();
    if (!d) {
        refusals_.push_back(where + "its entry returned no descriptor");
        return;
    }
    constexpr std::size_t header_size = offsetof(sdk::plugin_descriptor, build_signature) + sizeof(const char*);
    if (d->struct_size < header_size) {
        refusals_.push_back(where + "descriptor is too small (" + std::to_string(d->struct_size) + " bytes)");
        return;
    }
    const std::string theirs = std::to_string(d->abi_major) + "." + std::to_string(d->abi_minor);
    const std::string ours = std::to_string(sdk::abi_major) + "." + std::to_string(sdk::abi_minor);
    if (d->abi_major != sdk::abi_major) {
        refusals_.push_back(where + "built for plugin ABI " + theirs + ", this sluice speaks ABI " + ours +
                            " (the major versions differ)");
        return;
    }
    if (d->abi_minor > sdk::abi_minor) {
        refusals_.push_back(where + "needs plugin ABI " + theirs + ", newer than this sluice's ABI " + ours);
        return;
    }
    const char* signature = d->build_signature ? d->build_signature : "";
    if (std::strcmp(signature, sdk::build_signature) != 0) {
        refusals_.push_back(where + "built with \"" + signature + "\", this sluice with \"" + sdk::build_signature +
                            "\"");
        return;
    }
    // ABI 3.0 ended before `role`; later fields are read only when struct_size covers them.
    constexpr std::size_t abi_3_0_size = offsetof(sdk::plugin_descriptor, role);
    if (d->struct_size < abi_3_0_size) {
        refusals_.push_back(where + "descriptor is " + std::to_string(d->struct_size) + " bytes, ABI " + theirs +
                            " needs " + std::to_string(abi_3_0_size));
        return;
    }
    const bool factory_ok = (d->kind == sdk::plugin_kind::balancer && d->create_balancer) ||
                            (d->kind == sdk::plugin_kind::middleware && d->create_middleware) ||
                            (d->kind == sdk::plugin_kind::provider && d->create_provider);
    if (!factory_ok) {
        refusals_.push_back(where + "kind " + std::to_string(static_cast<unsigned>(d->kind)) + " (" +
                            std::string(sdk::to_string(d->kind)) + ") has no matching factory");
        return;
    }
    if (const auto role = loaded_plugin{file, d, nullptr}.role();
        role != sdk::balancer_role::strategy && role != sdk::balancer_role::wrapper) {
        refusals_.push_back(where + "balancer role " + std::to_string(static_cast<unsigned>(role)) + " is unknown");
        return;
    }
    if (!d->name || !*d->name || !d->version) {
        refusals_.push_back(where + "descriptor has no name or version");
        return;
    }
    if (const loaded_plugin* other = find(d->name)) {
        refusals_.push_back(where + "plugin name \"" + d->name + "\" is already provided by " + other->file.string());
        return;
    }
    plugins_.push_back({file, d, std::move(library)});
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
