#include "plugin/plugin_registry.hpp"

#include <dlfcn.h>
#include <link.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
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

namespace {

unsigned symbol_type(unsigned char info) noexcept {
#if __ELF_NATIVE_CLASS == 64
    return ELF64_ST_TYPE(info);
#else
    return ELF32_ST_TYPE(info);
#endif
}

template <class Ops>
bool covers(const Ops* ops) noexcept {
    return ops && ops->struct_size >= sizeof(Ops);
}

}  // namespace

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
    if (!library->has(SLUICE_PLUGIN_ENTRY)) {
        refusals_.push_back(where + "not a sluice plugin (it exports no \"" SLUICE_PLUGIN_ENTRY "\")");
        return;
    }
    // An ABI 3 plugin exports a data symbol of that name (a pointer to its function): calling
    // it would jump into data. Only an ELF function symbol is called.
    void* entry = ::dlsym(library->native(), SLUICE_PLUGIN_ENTRY);
    Dl_info info{};
    void* symbol = nullptr;
    if (!entry || !::dladdr1(entry, &info, &symbol, RTLD_DL_SYMENT) || !symbol ||
        symbol_type(static_cast<const ElfW(Sym)*>(symbol)->st_info) != STT_FUNC) {
        refusals_.push_back(where + "\"" SLUICE_PLUGIN_ENTRY "\" is not a function: a plugin built for plugin ABI 3 or "
                                    "older (this sluice speaks ABI " + std::to_string(SLUICE_ABI_MAJOR) + "." +
                            std::to_string(SLUICE_ABI_MINOR) + ")");
        return;
    }
    const auto entry_fn = reinterpret_cast<sluice_plugin_entry_fn>(reinterpret_cast<std::uintptr_t>(entry));
    const sluice_plugin* d = entry_fn();
    if (!d) {
        refusals_.push_back(where + "its entry returned no descriptor");
        return;
    }
    constexpr std::size_t version_end = offsetof(sluice_plugin, abi_minor) + sizeof(std::uint16_t);
    if (d->struct_size < version_end) {
        refusals_.push_back(where + "descriptor is too small (" + std::to_string(d->struct_size) + " bytes)");
        return;
    }
    const std::string theirs = std::to_string(d->abi_major) + "." + std::to_string(d->abi_minor);
    const std::string ours = std::to_string(SLUICE_ABI_MAJOR) + "." + std::to_string(SLUICE_ABI_MINOR);
    if (d->abi_major != SLUICE_ABI_MAJOR) {
        refusals_.push_back(where + "built for plugin ABI " + theirs + ", this sluice speaks ABI " + ours +
                            " (the major versions differ)");
        return;
    }
    if (d->abi_minor > SLUICE_ABI_MINOR) {
        refusals_.push_back(where + "needs plugin ABI " + theirs + ", newer than this sluice's ABI " + ours);
        return;
    }
    // Every field of ABI 4.0's descriptor; later minors append.
    if (d->struct_size < sizeof(sluice_plugin)) {
        refusals_.push_back(where + "descriptor is " + std::to_string(d->struct_size) + " bytes, ABI " + theirs +
                            " needs " + std::to_string(sizeof(sluice_plugin)));
        return;
    }
    // A table must hold every function of its ABI 4.0 form, the required ones set.
    const bool ops_ok = (d->kind == SLUICE_KIND_BALANCER && covers(d->balancer) && d->balancer->create &&
                         d->balancer->destroy && d->balancer->create_picker && d->balancer->destroy_picker &&
                         d->balancer->pick) ||
                        (d->kind == SLUICE_KIND_MIDDLEWARE && covers(d->middleware) && d->middleware->create &&
                         d->middleware->destroy && d->middleware->on_request) ||
                        (d->kind == SLUICE_KIND_PROVIDER && covers(d->provider) && d->provider->create &&
                         d->provider->destroy && d->provider->start && d->provider->stop);
    if (!ops_ok) {
        refusals_.push_back(where + "kind " + std::to_string(d->kind) + " (" + std::string(kind_name(d->kind)) +
                            ") has no complete table of functions");
        return;
    }
    if (d->kind == SLUICE_KIND_BALANCER && d->role != SLUICE_ROLE_STRATEGY && d->role != SLUICE_ROLE_WRAPPER) {
        refusals_.push_back(where + "balancer role " + std::to_string(d->role) + " is unknown");
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
