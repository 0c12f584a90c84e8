#include "config/static_loader.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "config/traefik_settings.hpp"
#include "config/traefik_static.hpp"
#include "config/yaml_document.hpp"

namespace sluice::config {

namespace {

std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw config_exception({{file.string(), 0, "", "cannot read the file"}});
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string environment_value(const static_sources& s, std::string_view name) {
    for (const auto& e : s.environment)
        if (e.size() > name.size() && e.starts_with(name) && e[name.size()] == '=') return e.substr(name.size() + 1);
    return {};
}

// The value of Traefik's --configfile / --configFile flag, if given.
std::optional<std::string> configfile_flag(const std::vector<std::string>& args) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view a = args[i];
        while (a.starts_with("-")) a.remove_prefix(1);
        if (a.starts_with("configfile=") || a.starts_with("configFile=")) return std::string(a.substr(11));
        if ((a == "configfile" || a == "configFile") && i + 1 < args.size()) return args[i + 1];
    }
    return std::nullopt;
}

// The providers' tables report their errors later (when the provider is created), by the
// lines of the text they were read from: for a generated text, those of the YAML file; a
// flag's or a variable's key has no line, and the table is then named by the form alone.
void relocate_plugin_tables(const generated_toml& text, static_config& cfg) {
    for (auto& p : cfg.providers) {
        auto& t = p.options;
        const origin at = text.origin_of(t.line);
        if (at.source != t.source) {
            t.line = 0;
            t.key_lines.clear();
            continue;
        }
        t.line = at.line;
        for (auto& [key, line] : t.key_lines) line = text.origin_of(line).line;
    }
}

// Runs `parse` and moves its errors from a generated text to where they came from.
template <class Fn>
auto relocating(const generated_toml& text, Fn parse) {
    try {
        return parse();
    } catch (const config_exception& e) {
        error_list errors = e.errors();
        text.relocate(errors);
        throw config_exception(std::move(errors));
    }
}

loaded_static_config from_traefik_file(const std::filesystem::path& file, const static_sources& sources) {
    loaded_static_config out;
    out.form = file.string();
    const std::string ext = to_lower(file.extension().string());
    out.native.emplace();
    const auto& folder = sources.working_folder;
    if (ext == ".toml") {
        toml::table root = parse_toml_file(file);
        if (root.empty()) throw config_exception({{file.string(), 0, "", "no configuration found in the file"}});
        out.cfg = parse_traefik_static(std::move(root), file.string(), folder, out.warnings, &*out.native);
    } else if (ext == ".yaml" || ext == ".yml") {
        const generated_toml text = yaml_as_toml(read_text(file), file.string());
        if (text.text().empty()) throw config_exception({{file.string(), 0, "", "no configuration found in the file"}});
        out.cfg = relocating(text, [&] {
            return parse_traefik_static(text.parse(), file.string(), folder, out.warnings, &*out.native);
        });
        relocate_plugin_tables(text, out.cfg);
    } else {
        throw config_exception({{file.string(), 0, "", "unsupported file extension: expected .toml, .yaml or .yml"}});
    }
    // As in Traefik, a file is the whole configuration: say so about the flags beside it.
    for (const auto& a : sources.traefik_args)
        if (!a.starts_with("--configfile") && !a.starts_with("--configFile") && !a.starts_with("-configfile") &&
            !a.starts_with("-configFile") && a.starts_with("-"))
            out.warnings.push_back("flag " + a + ": ignored: the configuration is read from " + file.string() +
                                   " (Traefik's forms are not merged)");
    return out;
}

loaded_static_config from_settings(std::vector<traefik_setting> settings, const std::string& form,
                                   const std::filesystem::path& folder) {
    loaded_static_config out;
    out.form = form;
    const generated_toml text = traefik_settings_as_toml(settings, form);
    out.native.emplace();
    out.cfg = relocating(text, [&] {
        return parse_traefik_static(text.parse(), form, folder, out.warnings, &*out.native);
    });
    relocate_plugin_tables(text, out.cfg);
    return out;
}

}  // namespace

static_config parse_traefik_static(toml::table root, const std::string& source, const std::filesystem::path& working_folder,
                                   std::vector<std::string>& warnings, toml::table* native) {
    error_list errors;
    translate_traefik_static(root, source, working_folder, errors, warnings);
    if (native) *native = root;
    try {
        static_config cfg = parse_static_config(root, source);
        if (!errors.empty()) throw config_exception(std::move(errors));
        return cfg;
    } catch (const config_exception& e) {
        errors.insert(errors.end(), e.errors().begin(), e.errors().end());
        throw config_exception(std::move(errors));
    }
}

std::optional<std::filesystem::path> find_traefik_file(const static_sources& sources) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (const auto flag = configfile_flag(sources.traefik_args)) {
        const fs::path p = fs::path(*flag).is_absolute() ? fs::path(*flag) : sources.working_folder / *flag;
        if (fs::is_regular_file(p, ec)) return p;
    }
    std::vector<fs::path> folders{"/etc/traefik"};
    if (const auto xdg = environment_value(sources, "XDG_CONFIG_HOME"); !xdg.empty()) folders.emplace_back(xdg);
    if (const auto home = environment_value(sources, "HOME"); !home.empty()) folders.push_back(fs::path(home) / ".config");
    folders.push_back(sources.working_folder);
    for (const auto& folder : folders)
        for (const char* name : {"traefik.toml", "traefik.yaml", "traefik.yml"})
            if (fs::is_regular_file(folder / name, ec)) return folder / name;
    return std::nullopt;
}

loaded_static_config load_static(const static_sources& sources) {
    namespace fs = std::filesystem;
    if (sources.config) return {load_static_config(*sources.config), sources.config->string(), {}, std::nullopt};
    std::error_code ec;
    const fs::path native = sources.working_folder / "sluice.toml";
    // Sluice's own file in the working folder, unless Traefik's flags say otherwise.
    if (sources.traefik_args.empty() && fs::is_regular_file(native, ec))
        return {load_static_config(native), native.string(), {}, std::nullopt};
    if (const auto file = find_traefik_file(sources)) return from_traefik_file(*file, sources);
    if (!sources.traefik_args.empty()) {
        error_list errors;
        auto settings = traefik_flags(sources.traefik_args, errors);
        if (!errors.empty()) throw config_exception(std::move(errors));
        return from_settings(std::move(settings), "flags", sources.working_folder);
    }
    error_list errors;
    auto settings = traefik_environment(sources.environment, errors);
    if (!errors.empty()) throw config_exception(std::move(errors));
    if (!settings.empty()) return from_settings(std::move(settings), "environment variables", sources.working_folder);
    throw config_exception({{native.string(), 0, "",
                             "no configuration: give --config FILE, Traefik's flags (--entryPoints.web.address=:80 ...), "
                             "TRAEFIK_* variables, or a traefik.toml / traefik.yml in /etc/traefik/"}});
}

std::string native_toml(const loaded_static_config& loaded) {
    if (!loaded.native) throw config_exception({{loaded.form, 0, "", "already in Sluice's own form"}});
    toml::table root = *loaded.native;
    // Paths were relative to where the configuration was read; the new file may go anywhere.
    const auto base = std::filesystem::path(loaded.cfg.source).parent_path();
    const auto absolute = [&](toml::node* n) {
        if (auto* s = n ? n->as_string() : nullptr; s && std::filesystem::path(s->get()).is_relative())
            s->get() = std::filesystem::absolute(base / s->get()).lexically_normal().string();
    };
    for (auto&& [k, providers] : root)
        if (iequals(k.str(), "providers") && providers.as_table())
            for (auto&& [name, provider] : *providers.as_table())
                if (iequals(name.str(), "file") && provider.as_table())
                    for (auto&& [key, value] : *provider.as_table())
                        if (iequals(key.str(), "filename")) absolute(&value);
    std::ostringstream out;
    out << "# Sluice's static configuration, from Traefik's (" << loaded.form << ") by `sluice migrate`.\n";
    for (const auto& w : loaded.warnings) out << "# " << w << "\n";
    out << "\n" << toml::toml_formatter(root) << "\n";
    return out.str();
}

}  // namespace sluice::config
