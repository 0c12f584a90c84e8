// Finds, checks and keeps plugin libraries loaded.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "plugin/host_api.hpp"
#include "plugin/plugin_services.hpp"
#include "sluice/abi.h"

namespace boost::dll {
class shared_library;
}

namespace sluice::plugin {

struct loaded_plugin {
    std::filesystem::path file;
    const sluice_plugin* descriptor = nullptr;
    // Objects a plugin creates hold this, so the library outlives them.
    std::shared_ptr<boost::dll::shared_library> library;

    std::string_view name() const noexcept { return descriptor->name; }
    std::uint32_t kind() const noexcept { return descriptor->kind; }
    std::string_view kind_name() const noexcept { return plugin::kind_name(descriptor->kind); }
    bool wraps() const noexcept {
        return descriptor->kind == SLUICE_KIND_BALANCER && descriptor->role == SLUICE_ROLE_WRAPPER;
    }
};

// Owning handle to one plugin object: destroys it through its table's `Destroy`, then
// drops its host link and the library reference, in that order.
template <class Ops, void (*Ops::*Destroy)(void*)>
class plugin_object {
public:
    plugin_object() = default;
    plugin_object(const Ops* ops, void* self, std::unique_ptr<sluice_host> link,
                  std::shared_ptr<boost::dll::shared_library> library)
        : ops_(ops), self_(self), link_(std::move(link)), library_(std::move(library)) {}
    plugin_object(plugin_object&& other) noexcept
        : ops_(other.ops_), self_(std::exchange(other.self_, nullptr)), link_(std::move(other.link_)),
          library_(std::move(other.library_)) {}
    plugin_object& operator=(plugin_object&& other) noexcept {
        if (this != &other) {
            reset();
            ops_ = other.ops_;
            self_ = std::exchange(other.self_, nullptr);
            link_ = std::move(other.link_);
            library_ = std::move(other.library_);
        }
        return *this;
    }
    ~plugin_object() { reset(); }

    const Ops* ops() const noexcept { return ops_; }
    void* get() const noexcept { return self_; }
    explicit operator bool() const noexcept { return self_ != nullptr; }

private:
    void reset() noexcept {
        if (self_) (ops_->*Destroy)(self_);
        self_ = nullptr;
        link_.reset();
        library_.reset();
    }
    const Ops* ops_ = nullptr;
    void* self_ = nullptr;
    std::unique_ptr<sluice_host> link_;
    std::shared_ptr<boost::dll::shared_library> library_;
};

using balancer_object = plugin_object<sluice_balancer_ops, &sluice_balancer_ops::destroy>;
using picker_object = plugin_object<sluice_balancer_ops, &sluice_balancer_ops::destroy_picker>;
using middleware_object = plugin_object<sluice_middleware_ops, &sluice_middleware_ops::destroy>;
using provider_object = plugin_object<sluice_provider_ops, &sluice_provider_ops::destroy>;

// Creates the object `instance` of plugin `p` (of the matching kind) from its TOML table:
// an empty handle after the plugin reported why to `errors`.
balancer_object create_balancer(const loaded_plugin& p, plugin_services& services, std::string_view instance,
                                std::string_view config, sluice_error_sink& errors);
middleware_object create_middleware(const loaded_plugin& p, plugin_services& services, std::string_view instance,
                                    std::string_view config, sluice_error_sink& errors);
provider_object create_provider(const loaded_plugin& p, plugin_services& services, std::string_view instance,
                                std::string_view config, sluice_error_sink& errors);
// A picker of `balancer` over `servers` (kept by the caller for the picker's life), around
// `inner` for a wrapper.
picker_object create_picker(const balancer_object& balancer, const loaded_plugin& p,
                            const std::vector<sluice_server_info>& servers, sluice_inner_picker* inner,
                            sluice_error_sink& errors);

class plugin_registry {
public:
    // Loads every *.so in the folders (in order; files sorted by name). Refused files are
    // described in refusals(); a missing folder is a refusal too.
    static plugin_registry scan(const std::vector<std::filesystem::path>& folders);

    // Case-insensitive; nullptr when no plugin has that name.
    const loaded_plugin* find(std::string_view name) const noexcept;
    const std::vector<loaded_plugin>& plugins() const noexcept { return plugins_; }
    // The names of the wrapping balancers, in loading order: the tables a loadBalancer may hold.
    std::vector<std::string> balancer_wrappers() const;
    const std::vector<std::string>& refusals() const noexcept { return refusals_; }

private:
    void load_file(const std::filesystem::path& file);

    std::vector<loaded_plugin> plugins_;
    std::vector<std::string> refusals_;
};

// The default search path: <binary>/../lib/sluice/plugins.
std::filesystem::path default_plugin_folder();

}  // namespace sluice::plugin
