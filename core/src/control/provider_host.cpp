#include "control/provider_host.hpp"

#include <spdlog/spdlog.h>

namespace sluice::control {

// What a provider publishes through: a document goes to the watcher under the provider's
// name. Thread-safe, as the watcher's submit is.
class provider_host::sink final : public sluice_document_sink {
public:
    sink(configuration_watcher& watcher, std::string name, document_origin origin)
        : watcher_(watcher), name_(std::move(name)), origin_(std::move(origin)) {}
    void publish(std::string_view document) noexcept override { publish_file(origin_.source, document); }
    void publish_file(std::string_view path, std::string_view document) noexcept override {
        try {
            watcher_.submit(name_, std::string(path), std::string(document), origin_.shared_file);
        } catch (const std::exception& e) {
            spdlog::error("provider {}: document dropped: {}", name_, e.what());
        }
    }
    void withdraw_file(std::string_view path) noexcept override {
        try {
            watcher_.withdraw(name_, std::string(path));
        } catch (const std::exception& e) {
            spdlog::error("provider {}: {} not withdrawn: {}", name_, path, e.what());
        }
    }

private:
    configuration_watcher& watcher_;
    std::string name_;
    document_origin origin_;
};

plugin::provider_object create_plugin_provider(const plugin::plugin_registry& plugins,
                                               plugin::plugin_services& services,
                                               const config::provider_instance_config& p, config::error_list& errors) {
    config::plugin_error_sink sink(p.options, errors);
    const std::size_t reported = errors.size();
    const auto* found = plugins.find(p.plugin);
    if (!found) {
        sink.error("", "provider plugin \"" + p.plugin + "\" is not loaded");
    } else if (found->kind() != SLUICE_KIND_PROVIDER) {
        sink.error("", "\"" + p.plugin + "\" is a " + std::string(found->kind_name()) + " plugin, not a provider");
    } else {
        auto object = plugin::create_provider(*found, services, p.name, p.options.text, sink);
        if (object) return object;
        if (errors.size() == reported) sink.error("", "the provider plugin refused its configuration");
    }
    return {};
}

provider_host::provider_host(configuration_watcher& watcher) : watcher_(watcher) {}

provider_host::~provider_host() { stop(); }

bool provider_host::start(std::string name, plugin::provider_object provider, document_origin origin) {
    auto documents = std::make_unique<sink>(watcher_, name, std::move(origin));
    if (!provider.ops()->start(provider.get(), documents.get())) {
        spdlog::error("provider {} failed to start", name);
        provider = {};  // destroyed while its sink still exists
        return false;
    }
    running_.push_back({std::move(name), std::move(documents), std::move(provider)});
    return true;
}

void provider_host::start_file(boost::asio::io_context& control, file_source source) {
    document_origin origin{source.path.string(), source.shared_file};
    auto* file = new file_provider(control, std::move(source));
    if (start("file", {&file_provider::ops(), file, nullptr, nullptr}, std::move(origin))) file_ = file;
}

void provider_host::start_plugins(const plugin::plugin_registry& plugins, plugin::plugin_services& services,
                                  const config::static_config& cfg) {
    for (const auto& p : cfg.providers) {
        config::error_list errors;
        auto provider = create_plugin_provider(plugins, services, p, errors);
        for (const auto& e : errors) spdlog::error("provider {} not started: {}", p.name, e.to_string());
        if (provider) start(p.name, std::move(provider), {"provider " + p.name, false});
    }
}

void provider_host::reread_files() {
    if (file_) file_->reread();
}

void provider_host::stop() {
    if (std::exchange(stopped_, true)) return;
    for (auto& r : running_) r.provider.ops()->stop(r.provider.get());
}

}  // namespace sluice::control
