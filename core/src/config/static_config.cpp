#include "config/static_config.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "config/table_reader.hpp"

namespace sluice::config {

std::string listen_address::to_string() const {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool parse_listen_address(std::string_view text, listen_address& out) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return false;
    std::string_view host = text.substr(0, colon);
    const std::string_view port = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    else if (host.find(':') != std::string_view::npos) return false;
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || port.empty() || value > 65535) return false;
    out.host = std::string(host);
    out.port = static_cast<std::uint16_t>(value);
    return true;
}

toml::table parse_toml_text(std::string_view text, const std::string& source) {
    try {
        return toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        throw config_exception({{source, e.source().begin.line, "", std::string(e.description())}});
    }
}

toml::table parse_toml_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw config_exception({{file.string(), 0, "", "cannot read the file"}});
    std::stringstream text;
    text << in.rdbuf();
    return parse_toml_text(text.str(), file.string());
}

namespace {

void read_entry_point(table_reader& r, entry_point_config& ep) {
    if (auto address = r.get_string("address")) {
        if (!parse_listen_address(*address, ep.address))
            r.error("address", "\"" + *address + "\" is not an address such as \":8000\" or \"127.0.0.1:8000\"",
                    r.get("address"));
    } else {
        r.error("address", "missing: every entry point needs an address such as \":8000\"");
    }
    if (const auto* transport = r.get_table("transport")) {
        table_reader t(*transport, r.child_path("transport"), r.source(), r.errors());
        if (const auto* rt = t.get_table("respondingTimeouts")) {
            table_reader timeouts(*rt, t.child_path("respondingTimeouts"), r.source(), r.errors());
            if (auto d = timeouts.get_duration("readTimeout")) ep.read_timeout = *d;
            if (auto d = timeouts.get_duration("writeTimeout")) ep.write_timeout = *d;
            if (auto d = timeouts.get_duration("idleTimeout")) ep.idle_timeout = *d;
            timeouts.finish();
        }
        if (const auto* lc = t.get_table("lifeCycle")) {
            table_reader life(*lc, t.child_path("lifeCycle"), r.source(), r.errors());
            if (auto d = life.get_duration("graceTimeOut")) ep.grace_timeout = *d;
            life.finish();
        }
        t.finish();
    }
    if (const auto* fh = r.get_table("forwardedHeaders")) {
        table_reader f(*fh, r.child_path("forwardedHeaders"), r.source(), r.errors());
        if (auto b = f.get_bool("insecure")) ep.forwarded_insecure = *b;
        if (auto ips = f.get_string_list("trustedIPs")) {
            for (const auto& text : *ips) {
                if (const auto net = sdk::ip_network::parse(text)) ep.forwarded_trusted.push_back(*net);
                else f.error("trustedIPs", "\"" + text + "\" is not an IP address or CIDR range", f.get("trustedIPs"));
            }
        }
        f.finish();
    }
    if (const auto* http = r.get_table("http")) {
        table_reader h(*http, r.child_path("http"), r.source(), r.errors());
        if (auto v = h.get_integer("maxHeaderBytes", 1024, 1 << 20)) ep.max_header_bytes = static_cast<std::size_t>(*v);
        if (auto v = h.get_integer("maxHeaders", 8, 10'000)) ep.max_header_count = static_cast<std::size_t>(*v);
        h.finish();
    }
    r.finish();
}

void read_servers_transport(table_reader& r, forwarding_config& fw) {
    if (const auto* ft = r.get_table("forwardingTimeouts")) {
        table_reader t(*ft, r.child_path("forwardingTimeouts"), r.source(), r.errors());
        if (auto d = t.get_duration("dialTimeout")) fw.dial_timeout = *d;
        if (auto d = t.get_duration("responseHeaderTimeout")) fw.response_header_timeout = *d;
        if (auto d = t.get_duration("idleConnTimeout")) fw.idle_conn_timeout = *d;
        if (auto d = t.get_duration("readTimeout")) fw.read_timeout = *d;
        t.finish();
    }
    if (auto v = r.get_integer("maxIdleConnsPerHost", 0, 100'000)) fw.max_idle_per_host = static_cast<std::size_t>(*v);
    r.finish();
}

}  // namespace

static_config parse_static_config(const toml::table& root, const std::string& source) {
    static_config cfg;
    cfg.source = source;
    error_list errors;
    table_reader r(root, "", source, errors);

    if (const auto* eps = r.get_table("entryPoints")) {
        for (auto&& [name, node] : *eps) {
            const std::string path = "entryPoints." + std::string(name.str());
            if (const auto* t = node.as_table()) {
                entry_point_config ep;
                ep.name = std::string(name.str());
                table_reader er(*t, path, source, errors);
                read_entry_point(er, ep);
                cfg.entry_points.push_back(std::move(ep));
            } else {
                errors.push_back({source, line_of(&node), path, "expected a table"});
            }
        }
    }

    if (const auto* st = r.get_table("serversTransport")) {
        table_reader t(*st, "serversTransport", source, errors);
        read_servers_transport(t, cfg.forwarding);
    }
    if (const auto* api = r.get_table("api")) {
        table_reader a(*api, "api", source, errors);
        api_config ac;
        if (auto text = a.get_string("address"); text && !parse_listen_address(*text, ac.address))
            a.error("address", "\"" + *text + "\" is not an address", a.get("address"));
        if (auto b = a.get_bool("rest")) ac.rest = *b;
        if (auto b = a.get_bool("dashboard")) ac.dashboard = *b;
        if (auto b = a.get_bool("ping")) ac.ping = *b;
        if (auto b = a.get_bool("metrics")) ac.metrics = *b;
        cfg.api = ac;
        a.finish();
    }
    if (const auto* log = r.get_table("log")) {
        table_reader l(*log, "log", source, errors);
        if (auto level = l.get_string("level")) {
            const std::string lower = to_lower(*level);
            if (lower == "trace" || lower == "debug" || lower == "info" || lower == "warn" || lower == "error")
                cfg.log_level = lower;
            else
                l.error("level", "\"" + *level + "\" is not one of trace, debug, info, warn, error", l.get("level"));
        }
        l.finish();
    }
    if (const auto* al = r.get_table("accessLog")) {
        table_reader a(*al, "accessLog", source, errors);
        access_log_config alc;
        if (auto format = a.get_string("format")) {
            if (*format == "common" || *format == "json") alc.format = *format;
            else a.error("format", "\"" + *format + "\" is not one of common, json", a.get("format"));
        }
        if (auto path = a.get_string("filePath")) alc.file_path = *path;
        cfg.access_log = alc;
        a.finish();
    }
    if (const auto* plugins = r.get_table("plugins")) {
        table_reader p(*plugins, "plugins", source, errors);
        if (auto paths = p.get_string_list("paths")) {
            const auto base = std::filesystem::path(source).parent_path();
            for (const auto& path : *paths) cfg.plugin_paths.push_back(base / path);
        }
        p.finish();
    }
    if (const auto* providers = r.get_table("providers")) {
        table_reader p(*providers, "providers", source, errors);
        if (auto d = p.get_duration("providersThrottleDuration")) cfg.providers_throttle = *d;
        for (auto&& [name, node] : *providers) {
            const std::string key(name.str());
            if (iequals(key, "providersThrottleDuration")) continue;
            p.allow(key);
            const auto* t = node.as_table();
            if (!t) {
                errors.push_back({source, line_of(&node), "providers." + key, "expected a table"});
                continue;
            }
            if (iequals(key, "file")) {
                table_reader f(*t, "providers." + key, source, errors);
                file_provider_config fp;
                // Next to the static file, normalised ("dynamic/" is the folder dynamic); an empty
                // value is an error rather than the static file's own folder.
                const auto folder = std::filesystem::path(source).parent_path();
                const auto path_of = [&](std::string_view key) -> std::filesystem::path {
                    auto value = f.get_string(key);
                    if (!value) return {};
                    if (value->empty()) {
                        f.error(key, "empty: name a file or a folder, or leave the key out", f.get(key));
                        return {};
                    }
                    auto p = (folder / *value).lexically_normal();
                    return p.has_filename() ? p : p.parent_path();
                };
                fp.filename = path_of("filename");
                fp.directory = path_of("directory");
                if (auto watch = f.get_bool("watch")) fp.watch = *watch;
                if (!fp.filename.empty() && !fp.directory.empty())
                    f.error("directory", "filename and directory are mutually exclusive: use one of the two",
                            f.get("directory"));
                f.finish();
                cfg.file_provider = fp;
                continue;
            }
            provider_instance_config instance{key, key, {}};
            // Keys match case-insensitively, as everywhere in the configuration.
            const auto plugin_key = std::find_if(t->begin(), t->end(),
                                                 [](const auto& kv) { return iequals(kv.first.str(), "plugin"); });
            if (plugin_key != t->end()) {
                const toml::node& plugin = plugin_key->second;
                if (auto s = plugin.as_string()) instance.plugin = s->get();
                else
                    errors.push_back({source, line_of(&plugin),
                                      "providers." + key + "." + std::string(plugin_key->first.str()),
                                      "expected a string"});
            }
            instance.options = read_plugin_table(instance.plugin, *t, "providers." + key, source, errors, "plugin");
            cfg.providers.push_back(std::move(instance));
        }
        p.finish();
    }
    if (r.get("http")) cfg.inline_http = true;
    r.finish();
    // Only the API listener (Traefik's traefik entry point alone) is a configuration too.
    if (cfg.entry_points.empty() && !cfg.api && errors.empty())
        errors.push_back({source, 0, "entryPoints", "no entry point: add [entryPoints.web] with address = \":8000\""});

    if (cfg.inline_http && cfg.file_provider && !cfg.file_provider->filename.empty())
        errors.push_back({source, 0, "providers.file.filename",
                          "the file has its own [http] tables and also names a dynamic file: use one of the two"});
    if (cfg.inline_http && cfg.file_provider && !cfg.file_provider->directory.empty())
        errors.push_back({source, 0, "providers.file.directory",
                          "the file has its own [http] tables and also names a directory of dynamic files: use one "
                          "of the two"});
    if (!cfg.file_provider && cfg.inline_http) cfg.file_provider = file_provider_config{};
    if (!errors.empty()) throw config_exception(std::move(errors));
    return cfg;
}

static_config load_static_config(const std::filesystem::path& file) {
    return parse_static_config(parse_toml_file(file), file.string());
}

}  // namespace sluice::config
