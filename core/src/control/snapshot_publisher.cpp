#include "control/snapshot_publisher.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "control/snapshot_builder.hpp"

namespace sluice::control {

namespace {

template <class Map>
void names_diff(const Map* before, const Map& after, std::string_view what, std::string& out) {
    std::string added, removed, changed;
    for (const auto& [name, value] : after) {
        if (!before || !before->count(name)) added += " +" + name;
    }
    if (before)
        for (const auto& [name, value] : *before)
            if (!after.count(name)) removed += " -" + name;
    if (!added.empty() || !removed.empty()) out += "; " + std::string(what) + added + removed;
}

}  // namespace

std::string describe_changes(const config::dynamic_config* before, const config::dynamic_config& after) {
    std::string out;
    names_diff(before ? &before->routers : nullptr, after.routers, "routers", out);
    names_diff(before ? &before->services : nullptr, after.services, "services", out);
    names_diff(before ? &before->middlewares : nullptr, after.middlewares, "middlewares", out);
    for (const auto& [name, svc] : after.services) {
        if (!before || !before->services.count(name)) continue;
        const auto& old = before->services.at(name).servers;
        std::string delta;
        for (const auto& s : svc.servers)
            if (std::none_of(old.begin(), old.end(), [&](const auto& o) { return o.url == s.url; })) delta += " +" + s.url;
        for (const auto& o : old)
            if (std::none_of(svc.servers.begin(), svc.servers.end(), [&](const auto& s) { return o.url == s.url; }))
                delta += " -" + o.url;
        if (!delta.empty()) out += "; servers of " + name + delta;
    }
    for (const auto& [name, rc] : after.routers) {
        if (!before || !before->routers.count(name)) continue;
        const auto& o = before->routers.at(name);
        if (o.rule != rc.rule || o.service != rc.service || o.middlewares != rc.middlewares || o.priority != rc.priority)
            out += "; router " + name + " changed";
    }
    return out;
}

snapshot_publisher::snapshot_publisher(const plugin::plugin_registry& plugins, plugin::plugin_services& services,
                                       std::vector<std::string> entry_points, runtime::snapshot_store& store)
    : plugins_(plugins), services_(services), entry_points_(std::move(entry_points)), store_(store) {}

namespace {

// Puts back the last valid definition of every object of one kind that the build disabled
// and that has one; returns whether it put back any.
template <class Config>
bool put_back(std::map<std::string, Config>& objects, std::map<std::string, config::error_list>& invalid,
              const std::map<std::string, config::error_list>& disabled,
              const std::map<std::string, Config>& last_valid, std::map<std::string, config::error_list>& stale) {
    bool any = false;
    for (const auto& [name, errors] : disabled) {
        const auto last = last_valid.find(name);
        if (last == last_valid.end() || stale.count(name)) continue;
        objects.insert_or_assign(name, last->second);
        invalid.erase(name);
        stale.emplace(name, errors);
        any = true;
    }
    return any;
}

// Stale objects that did not build even in their last valid form are simply disabled.
void drop_unbuilt(std::map<std::string, config::error_list>& stale,
                  const std::map<std::string, config::error_list>& disabled) {
    std::erase_if(stale, [&](const auto& entry) { return disabled.count(entry.first) > 0; });
}

template <class Config>
std::map<std::string, Config> built_only(const std::map<std::string, Config>& objects,
                                         const std::map<std::string, config::error_list>& disabled) {
    std::map<std::string, Config> out;
    for (const auto& [name, object] : objects)
        if (!disabled.count(name)) out.emplace(name, object);
    return out;
}

}  // namespace

std::unique_ptr<runtime::snapshot> snapshot_publisher::build_keeping_valid(config::dynamic_config& merged,
                                                                    std::uint64_t generation) {
    config::disabled_objects stale;
    std::unique_ptr<runtime::snapshot> built;
    // Each round puts back at least one object for good, so this ends.
    for (;;) {
        built = build_snapshot(merged, plugins_, services_, entry_points_, generation, published_.get());
        const auto& d = built->disabled;
        const bool routers = put_back(merged.routers, merged.invalid.routers, d.routers, last_valid_.routers, stale.routers);
        const bool services =
            put_back(merged.services, merged.invalid.services, d.services, last_valid_.services, stale.services);
        const bool middlewares = put_back(merged.middlewares, merged.invalid.middlewares, d.middlewares,
                                          last_valid_.middlewares, stale.middlewares);
        if (!routers && !services && !middlewares) break;
    }
    drop_unbuilt(stale.routers, built->disabled.routers);
    drop_unbuilt(stale.services, built->disabled.services);
    drop_unbuilt(stale.middlewares, built->disabled.middlewares);
    built->stale = std::move(stale);
    last_valid_ = {built_only(merged.routers, built->disabled.routers),
                   built_only(merged.services, built->disabled.services),
                   built_only(merged.middlewares, built->disabled.middlewares)};
    return built;
}

void snapshot_publisher::apply(std::uint64_t generation, const config::dynamic_config& configuration) {
    // A copy: objects whose new definition is invalid get their last valid one back in it.
    auto merged = std::make_shared<config::dynamic_config>(configuration);
    std::shared_ptr<runtime::snapshot> next = build_keeping_valid(*merged, generation);
    next->config = merged;
    next->disabled.for_each([](std::string_view kind, const std::string& name, const config::error_list& errors) {
        for (const auto& e : errors) spdlog::error("{} {} disabled: {}", kind, name, e.to_string());
    });
    next->stale.for_each([](std::string_view kind, const std::string& name, const config::error_list& errors) {
        for (const auto& e : errors)
            spdlog::error("{} {} keeps serving its last valid configuration; the new one is invalid: {}", kind, name,
                          e.to_string());
    });
    spdlog::info("configuration {} applied: {} routers, {} services, {} middlewares, {} disabled, {} stale{}",
                 next->generation, next->routes.size(), next->services.size(), next->middlewares.size(),
                 next->disabled.size(), next->stale.size(),
                 describe_changes(last_.get(), *merged));
    last_ = merged;
    published_ = next;
    for (const auto& l : listeners_) l(next);
    store_.publish(std::move(next));
}

}  // namespace sluice::control
