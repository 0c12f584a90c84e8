// Finds, checks and keeps plugin libraries loaded.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/sdk/plugin.hpp"

namespace boost::dll {
class shared_library;
}

namespace sluice::plugin {

struct loaded_plugin {
    std::filesystem::path file;
    const sdk::plugin_descriptor* descriptor = nullptr;
    // Objects a plugin creates hold this, so the library outlives them.
    std::shared_ptr<boost::dll::shared_library> library;

    std::string_view name() const noexcept { return descriptor->name; }
    sdk::plugin_kind kind() const noexcept { return descriptor->kind; }
    // A balancer's role; a descriptor from before ABI 3.1 has none and is a strategy.
    sdk::balancer_role role() const noexcept {
        constexpr std::size_t end = offsetof(sdk::plugin_descriptor, role) + sizeof(sdk::balancer_role);
        return descriptor->struct_size >= end ? descriptor->role : sdk::balancer_role::strategy;
    }
    bool wraps() const noexcept {
        return kind() == sdk::plugin_kind::balancer && role() == sdk::balancer_role::wrapper;
    }
};

// Owning handle to a plugin object: release() runs inside the plugin, then the library
// reference drops.
template <class T>
class plugin_object {
public:
    plugin_object() = default;
    plugin_object(T* object, std::shared_ptr<boost::dll::shared_library> library)
        : object_(object), library_(std::move(library)) {}
    plugin_object(plugin_object&& other) noexcept
        : object_(std::exchange(other.object_, nullptr)), library_(std::move(other.library_)) {}
    plugin_object& operator=(plugin_object&& other) noexcept {
        if (this != &other) {
            reset();
            object_ = std::exchange(other.object_, nullptr);
            library_ = std::move(other.library_);
        }
        return *this;
    }
    ~plugin_object() { reset(); }

    T* get() const noexcept { return object_; }
    T* operator->() const noexcept { return object_; }
    explicit operator bool() const noexcept { return object_ != nullptr; }
    const std::shared_ptr<boost::dll::shared_library>& library() const noexcept { return library_; }

private:
    void reset() noexcept {
        if (object_) object_->release();
        object_ = nullptr;
        library_.reset();
    }
    T* object_ = nullptr;
    std::shared_ptr<boost::dll::shared_library> library_;
};

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
