// TOML documents through the static and dynamic configuration loaders. A bad document is a
// config_exception (static) or a list of errors (dynamic); any other exception escaping is a
// finding, and so is an option table handed to a plugin that does not parse again.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include <spdlog/spdlog.h>

#include "config/dynamic_config.hpp"
#include "config/static_config.hpp"

namespace {

namespace config = sluice::config;

// Option tables travel to plugins as TOML text: the plugin must be able to read it back.
void check_reparses(const std::string& text, const char* what) {
    try {
        (void)toml::parse(std::string_view(text), std::string_view("plugin options"));
    } catch (const toml::parse_error& e) {
        std::fprintf(stderr, "finding: %s does not parse again: %s\n%s\n", what, std::string(e.description()).c_str(),
                     text.c_str());
        std::abort();
    }
}

void check_dynamic(const toml::table& root, const std::string& provider, bool shared_file) {
    // Throws nothing: the pipeline calls it without a handler.
    // "sticky" as a wrapping balancer: the loadBalancer tables of the corpus switch it on.
    static const std::vector<std::string> wrappers{"sticky"};
    const config::dynamic_config parsed =
        config::parse_dynamic_config(root, provider, "fuzz.toml", shared_file, wrappers);
    for (const auto& [name, m] : parsed.middlewares) check_reparses(m.plugin.text, "middleware options");
    for (const auto& [name, s] : parsed.services) {
        check_reparses(s.strategy_options.text, "strategy options");
        for (const auto& w : s.wrappers) check_reparses(w.text, "wrapper options");
    }
    config::dynamic_config merged;
    config::merge_into(merged, parsed);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    spdlog::set_level(spdlog::level::off);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    toml::table root;
    try {
        root = config::parse_toml_text(text, "fuzz.toml");
    } catch (const config::config_exception& e) {
        if (e.errors().empty()) {
            std::fprintf(stderr, "finding: a rejected document without an error\n");
            std::abort();
        }
        return 0;
    }
    try {
        const config::static_config parsed = config::parse_static_config(root, "fuzz.toml");
        for (const auto& p : parsed.providers) check_reparses(p.options.text, "provider options");
    } catch (const config::config_exception& e) {
        if (e.errors().empty()) {
            std::fprintf(stderr, "finding: a rejected static configuration without an error\n");
            std::abort();
        }
    }
    // As the static file's own [http] tables, and as a provider's document.
    check_dynamic(root, "file", true);
    check_dynamic(root, "docker", false);
    return 0;
}
