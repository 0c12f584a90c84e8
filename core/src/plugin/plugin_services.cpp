#include "plugin/plugin_services.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace sluice::plugin {

std::string_view kind_name(std::uint32_t kind) noexcept {
    switch (kind) {
        case SLUICE_KIND_BALANCER: return "balancer";
        case SLUICE_KIND_MIDDLEWARE: return "middleware";
        case SLUICE_KIND_PROVIDER: return "provider";
        default: return "unknown";
    }
}

bool fault_counter::count(key k, std::chrono::steady_clock::time_point now, std::uint64_t& suppressed) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(k);
    if (it == entries_.end()) {
        if (entries_.size() >= max_keys) k = {"(other)", "", "", ""};
        it = entries_.try_emplace(std::move(k)).first;
    }
    entry& e = it->second;
    ++e.total;
    if (e.total > 1 && now - e.last_logged < quiet) {
        ++e.unlogged;
        return false;
    }
    suppressed = e.unlogged;
    e.unlogged = 0;
    e.last_logged = now;
    return true;
}

std::vector<std::pair<fault_counter::key, std::uint64_t>> fault_counter::totals() const {
    std::lock_guard lock(mutex_);
    std::vector<std::pair<key, std::uint64_t>> out;
    for (const auto& [k, e] : entries_) out.emplace_back(k, e.total);
    return out;
}

std::unique_ptr<sluice_host> plugin_services::link(std::string_view plugin, std::string_view kind,
                                                   std::string_view instance) {
    return std::make_unique<sluice_host>(
        sluice_host{this, std::string(plugin), std::string(kind), std::string(instance), {}});
}

void plugin_services::report_fault(const sluice_host& host, std::string_view hook, std::string_view what) noexcept {
    try {
        std::uint64_t suppressed = 0;
        if (!faults_.count({host.plugin, host.kind, host.instance, std::string(hook)}, std::chrono::steady_clock::now(),
                           suppressed))
            return;
        spdlog::error("{} plugin {} (instance {}) failed in {}: {}{}", host.kind, host.plugin, host.instance, hook, what,
                      suppressed ? fmt::format(" ({} more since the last report)", suppressed) : std::string());
    } catch (...) {
    }
}

sluice_metric* plugin_services::metric(sluice_host& host, sluice_metric::type type, std::string_view name,
                                       std::string_view help) {
    const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!valid) {
        spdlog::error("{} plugin {} (instance {}): metric name \"{}\" refused: use a-z, 0-9 and _", host.kind,
                      host.plugin, host.instance, name);
        return nullptr;
    }
    std::string exported = "sluice_plugin_" + std::string(name);
    if (type == sluice_metric::type::counter && !exported.ends_with("_total")) exported += "_total";
    std::lock_guard lock(metrics_mutex_);
    auto& slot = metrics_[{exported, host.plugin, host.instance}];
    std::shared_ptr<sluice_metric> series = slot.lock();
    if (series && series->kind != type) {
        spdlog::error("{} plugin {} (instance {}): metric \"{}\" is already registered as another type", host.kind,
                      host.plugin, host.instance, name);
        return nullptr;
    }
    if (!series) {
        series = std::make_shared<sluice_metric>();
        series->kind = type;
        series->name = exported;
        series->help = std::string(help);
        series->plugin = host.plugin;
        series->instance = host.instance;
        slot = series;
    }
    if (std::find(host.metrics.begin(), host.metrics.end(), series) == host.metrics.end())
        host.metrics.push_back(series);
    return series.get();
}

std::vector<std::shared_ptr<const sluice_metric>> plugin_services::metrics() const {
    std::lock_guard lock(metrics_mutex_);
    std::vector<std::shared_ptr<const sluice_metric>> out;
    for (auto it = metrics_.begin(); it != metrics_.end();) {
        if (auto series = it->second.lock()) {
            out.push_back(std::move(series));
            ++it;
        } else {
            it = metrics_.erase(it);
        }
    }
    return out;
}

}  // namespace sluice::plugin
