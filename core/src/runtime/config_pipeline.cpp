#include "runtime/config_pipeline.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "config/static_config.hpp"
#include "runtime/snapshot_builder.hpp"

namespace sluice::runtime {

namespace net = boost::asio;

config_pipeline::config_pipeline(net::io_context& control, const plugin::plugin_registry& plugins, sdk::host& host,
                                 std::vector<std::string> entry_points, std::chrono::milliseconds throttle,
                                 snapshot_store& store)
    : control_(control),
      plugins_(plugins),
      host_(host),
      entry_points_(std::move(entry_points)),
      throttle_(throttle),
      store_(store),
      timer_(control),
      health_(control) {}

void config_pipeline::submit(std::string provider, std::string source, std::string document, bool shared_file) {
    net::post(control_, [this, provider = std::move(provider), source = std::move(source),
                         document = std::move(document), shared_file] {
        accept(provider, source, document, shared_file);
    });
}

void config_pipeline::accept(const std::string& provider, const std::string& source, const std::string& document,
                             bool shared_file) {
    auto it = providers_.find(provider);
    if (it != providers_.end() && it->second.text == document) return;
    toml::table root;
    try {
        root = config::parse_toml_text(document, source);
    } catch (const config::config_exception& e) {
        spdlog::error("configuration from provider {} rejected, the previous one stays in force: {}", provider,
                      e.what());
        return;
    }
    provider_state state{document, config::parse_dynamic_config(root, provider, source, shared_file)};
    for (const auto& e : state.parsed.errors) spdlog::error("{}", e.to_string());
    providers_[provider] = std::move(state);
    if (pending_) return;
    // Throttle: the first change of a burst arms the timer; the rebuild takes the newest state.
    pending_ = true;
    timer_.expires_after(generation_ == 0 ? std::chrono::milliseconds(0) : throttle_);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        pending_ = false;
        rebuild();
    });
}

void config_pipeline::rebuild() {
    config::dynamic_config merged;
    for (const auto& [name, state] : providers_) config::merge_into(merged, state.parsed);
    std::shared_ptr<const snapshot> next = build_snapshot(merged, plugins_, host_, entry_points_, ++generation_);
    next->disabled.for_each([](std::string_view kind, const std::string& name, const config::error_list& errors) {
        for (const auto& e : errors) spdlog::error("{} {} disabled: {}", kind, name, e.to_string());
    });
    spdlog::info("configuration {} applied: {} routers, {} services, {} middlewares, {} disabled", next->generation,
                 next->routes.size(), next->services.size(), next->middlewares.size(), next->disabled.size());
    health_.watch(next);
    store_.publish(std::move(next));
}

config::error_list config_pipeline::check(const std::string& provider, const std::string& source,
                                          const std::string& document, bool shared_file) const {
    toml::table root;
    try {
        root = config::parse_toml_text(document, source);
    } catch (const config::config_exception& e) {
        return e.errors();
    }
    auto parsed = config::parse_dynamic_config(root, provider, source, shared_file);
    config::error_list errors = parsed.errors;
    auto snap = build_snapshot(parsed, plugins_, host_, entry_points_, 0);
    snap->disabled.for_each([&](std::string_view, const std::string&, const config::error_list& list) {
        errors.insert(errors.end(), list.begin(), list.end());
    });
    return errors;
}

}  // namespace sluice::runtime
