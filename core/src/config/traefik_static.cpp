#include "config/traefik_static.hpp"

#include <algorithm>
#include <filesystem>

#include "config/table_reader.hpp"

namespace sluice::config {

namespace {

// Case-insensitive access to a table whose keys come from any of Traefik's forms.
toml::node* find(toml::table& t, std::string_view key) {
    for (auto&& [k, v] : t)
        if (iequals(k.str(), key)) return &v;
    return nullptr;
}
toml::table* find_table(toml::table& t, std::string_view key) {
    toml::node* n = find(t, key);
    return n ? n->as_table() : nullptr;
}
void erase(toml::table& t, std::string_view key) {
    for (auto it = t.begin(); it != t.end(); ++it)
        if (iequals(it->first.str(), key)) {
            t.erase(it);
            return;
        }
}
// A boolean as Traefik reads one: true, or a string "true" in any case.
bool truthy(const toml::node* n) {
    if (!n) return false;
    if (const auto* b = n->as_boolean()) return b->get();
    if (const auto* s = n->as_string()) return iequals(s->get(), "true");
    return false;
}
std::string string_of(const toml::node* n) {
    if (const auto* s = n ? n->as_string() : nullptr) return s->get();
    return {};
}

struct translator {
    toml::table& root;
    const std::string& source;
    const std::filesystem::path& working_folder;
    error_list& errors;
    std::vector<std::string>& warnings;

    void refuse(const std::string& path, const toml::node* at, std::string message) {
        errors.push_back({source, at ? line_of(at) : 0, path, std::move(message)});
    }
    // Takes `key` out of `t` (at `path`), saying why it is ignored.
    void ignore(toml::table& t, const std::string& path, std::string_view key, std::string_view why) {
        if (!find(t, key)) return;
        warnings.push_back(path + (path.empty() ? "" : ".") + std::string(key) + ": ignored: " + std::string(why));
        erase(t, key);
    }
    // Refuses `key` of `t` when present, and takes it out (it is not also an unknown key).
    void refuse_key(toml::table& t, const std::string& path, std::string_view key, std::string message) {
        const toml::node* n = find(t, key);
        if (!n) return;
        refuse(path + (path.empty() ? "" : ".") + std::string(key), n, std::move(message));
        erase(t, key);
    }

    void run() {
        erase(root, "configFile");  // the loader's: which file to read
        // Dynamic configuration in the static file: Traefik ignores it (providers.file reads it).
        for (const char* k : {"http", "tcp", "udp", "tls"})
            ignore(root, "", k, "dynamic configuration in the static file is not read, as in Traefik: "
                                "give it to providers.file");
        // What Traefik serves on its own `traefik` entry point, read before entry points are.
        toml::table* api = find_table(root, "api");
        if (api) {
            ignore(*api, "api", "debug", "Sluice serves no profiling endpoints");
            ignore(*api, "api", "disableDashboardAd", "Sluice's dashboard has no advertisement");
            if (const toml::node* base = find(*api, "basePath"); base && string_of(base) != "/")
                refuse("api.basePath", base, "the API is served at / only");
            erase(*api, "basePath");
        }
        const bool api_insecure = api && truthy(find(*api, "insecure"));
        const bool dashboard = !api || !find(*api, "dashboard") || truthy(find(*api, "dashboard"));
        toml::table* ping = find_table(root, "ping");
        toml::table* metrics = find_table(root, "metrics");
        toml::table* prometheus = metrics ? find_table(*metrics, "prometheus") : nullptr;
        const auto on_traefik = [&](toml::table* t, const std::string& path) {
            if (!t) return false;
            if (truthy(find(*t, "manualRouting"))) {
                refuse(path + ".manualRouting", find(*t, "manualRouting"),
                       "routing to internal services (ping@internal, prometheus@internal) is not supported: "
                       "leave manualRouting off, and they are served on the traefik entry point");
                return false;
            }
            const std::string ep = find(*t, "entryPoint") ? string_of(find(*t, "entryPoint")) : "traefik";
            if (ep != "traefik")
                refuse(path + ".entryPoint", find(*t, "entryPoint"),
                       "\"" + ep + "\": Sluice serves " + path + " on the traefik entry point only (its API's)");
            return true;
        };
        if (ping) ignore(*ping, "ping", "terminatingStatusCode", "/ping answers 503 while draining");
        const bool serve_ping = on_traefik(ping, "ping");
        const bool serve_metrics = on_traefik(prometheus, "metrics.prometheus");

        toml::table* eps = find_table(root, "entryPoints");
        if (!eps) {
            erase(root, "entryPoints");
            eps = root.insert_or_assign("entryPoints", toml::table{}).first->second.as_table();
        }
        // Traefik's default: no entry point configured, one named http on :80.
        if (eps->empty()) eps->insert("http", toml::table{{"address", ":80"}});

        if (api_insecure || serve_ping || serve_metrics) {
            std::string address = ":8080";
            if (toml::table* traefik = find_table(*eps, "traefik")) {
                // What protects it is refused as on any entry point; the rest does not apply.
                entry_point(*traefik, "entryPoints.traefik");
                if (const toml::node* a = find(*traefik, "address")) address = string_of(a);
                for (auto&& [k, v] : *traefik)
                    if (!iequals(k.str(), "address"))
                        warnings.push_back("entryPoints.traefik." + std::string(k.str()) +
                                           ": ignored: the traefik entry point is Sluice's API listener");
                erase(*eps, "traefik");
            }
            erase(root, "api");
            root.insert("api", toml::table{{"address", strip_protocol(address, "entryPoints.traefik.address")},
                                           {"rest", api_insecure},
                                           {"dashboard", api_insecure && dashboard},
                                           {"ping", serve_ping},
                                           {"metrics", serve_metrics}});
        } else if (toml::node* traefik = find(*eps, "traefik")) {
            // Traefik keeps it out of routers' default entry points; Sluice would serve them there.
            refuse("entryPoints.traefik", traefik,
                   "the traefik entry point is the API's listener in Sluice: switch on api.insecure, ping or "
                   "metrics.prometheus, or give this entry point another name");
            erase(*eps, "traefik");
        }
        if (!(api_insecure || serve_ping || serve_metrics) && api) {
            warnings.push_back(
                "api: ignored: without api.insecure = true Traefik serves the API only through routers to "
                "api@internal, which Sluice does not have (set api.insecure to serve it on the traefik entry point)");
            erase(root, "api");
        }
        erase(root, "ping");
        if (metrics) {
            for (auto&& [k, v] : *metrics)
                if (!iequals(k.str(), "prometheus"))
                    warnings.push_back("metrics." + std::string(k.str()) +
                                       ": ignored: Sluice exports Prometheus metrics only (on the traefik entry point)");
            if (prometheus)
                for (auto&& [k, v] : *prometheus)
                    if (!iequals(k.str(), "entryPoint") && !iequals(k.str(), "manualRouting"))
                        warnings.push_back("metrics.prometheus." + std::string(k.str()) +
                                           ": ignored: Sluice's metrics have fixed buckets and labels");
            erase(root, "metrics");
        }

        for (auto&& [name, node] : *eps)
            if (toml::table* ep = node.as_table()) entry_point(*ep, "entryPoints." + std::string(name.str()));

        if (toml::table* log = find_table(root, "log")) {
            if (toml::node* level = find(*log, "level")) {
                // Traefik's levels are upper-case; its fatal and panic are Sluice's error.
                std::string l = to_lower(string_of(level));
                if (l == "fatal" || l == "panic") l = "error";
                if (auto* s = level->as_string(); s && !l.empty()) s->get() = l;
            }
            for (const char* k : {"format", "filePath", "noColor", "maxSize", "maxAge", "maxBackups", "compress", "otlp"})
                ignore(*log, "log", k, "Sluice logs as text to standard error");
        }
        if (toml::table* access = find_table(root, "accessLog")) {
            if (toml::node* format = find(*access, "format"); format && iequals(string_of(format), "genericCLF")) {
                warnings.push_back("accessLog.format: genericCLF is written as common");
                format->as_string()->get() = "common";
            }
            for (const char* k : {"bufferingSize", "filters", "fields", "addInternals", "otlp"})
                ignore(*access, "accessLog", k, "every request is logged, with the format's fields");
        }
        if (toml::table* providers = find_table(root, "providers")) this->providers(*providers);
        if (toml::table* transport = find_table(root, "serversTransport")) {
            for (const char* k : {"insecureSkipVerify", "rootCAs", "spiffe"})
                ignore(*transport, "serversTransport", k, "Sluice forwards to http:// servers only");
        }
        for (const char* k : {"global", "tracing", "hostResolver", "ocsp", "pilot", "hub", "tcpServersTransport"})
            ignore(root, "", k, "not used by Sluice");
        refuse_key(root, "", "certificatesResolvers",
                   "certificate resolvers (ACME) are not supported: routers relying on them would serve no certificate");
        refuse_key(root, "", "spiffe", "SPIFFE identities for servers are not supported");
        if (toml::table* experimental = find_table(root, "experimental")) {
            refuse_key(*experimental, "experimental", "plugins", "Traefik plugins cannot run in Sluice: use Sluice's plugins");
            refuse_key(*experimental, "experimental", "localPlugins", "Traefik plugins cannot run in Sluice: use Sluice's plugins");
            if (!experimental->empty()) warnings.push_back("experimental: ignored: Sluice has no experimental features");
            erase(root, "experimental");
        }
        if (toml::table* core = find_table(root, "core")) {
            if (const toml::node* syntax = find(*core, "defaultRuleSyntax"); syntax && !iequals(string_of(syntax), "v3"))
                refuse("core.defaultRuleSyntax", syntax, "Sluice reads Traefik v3's rule syntax only");
            erase(root, "core");
        }
    }

    // ":80/tcp" -> ":80"; other protocols are refused.
    std::string strip_protocol(std::string address, const std::string& path) {
        const auto slash = address.rfind('/');
        if (slash == std::string::npos) return address;
        const std::string protocol = to_lower(address.substr(slash + 1));
        if (protocol != "tcp") refuse(path, nullptr, "\"" + address + "\": only TCP entry points are supported");
        return address.substr(0, slash);
    }

    void entry_point(toml::table& ep, const std::string& path) {
        if (toml::node* address = find(ep, "address"); address && address->as_string())
            address->as_string()->get() = strip_protocol(string_of(address), path + ".address");
        ignore(ep, path, "reusePort", "Sluice's workers always share the port");
        ignore(ep, path, "http2", "HTTP/2 is not served yet");
        ignore(ep, path, "http3", "HTTP/3 is not served");
        ignore(ep, path, "udp", "UDP is not served");
        ignore(ep, path, "observability", "every entry point is logged and measured");
        ignore(ep, path, "allowACMEByPass", "Sluice has no ACME challenge routers");
        refuse_key(ep, path, "proxyProtocol",
                   "the PROXY protocol is not supported: clients' addresses would be the load balancer's");
        refuse_key(ep, path, "asDefault",
                   "asDefault is not supported: routers without entryPoints are served on every entry point");
        if (toml::table* http = find_table(ep, "http")) {
            const std::string h = path + ".http";
            refuse_key(*http, h, "redirections", "entry point redirections are not supported yet");
            refuse_key(*http, h, "middlewares", "entry point middlewares are not supported yet");
            refuse_key(*http, h, "tls", "TLS termination is not supported yet: this entry point would serve plain HTTP");
            ignore(*http, h, "sanitizePath", "Sluice always normalises paths");
            if (const toml::node* u = find(*http, "underscoreHeadersStrategy"); u && !iequals(string_of(u), "keep"))
                refuse(h + ".underscoreHeadersStrategy", u,
                       "\"" + string_of(u) + "\": headers with underscores are always forwarded (keep)");
            erase(*http, "underscoreHeadersStrategy");
            for (const char* k : {"encodedCharacters", "encodeQuerySemicolons"})
                ignore(*http, h, k, "not configurable in Sluice");
        }
        if (toml::table* transport = find_table(ep, "transport")) {
            for (const char* k : {"keepAliveMaxTime", "keepAliveMaxRequests"})
                ignore(*transport, path + ".transport", k, "not configurable in Sluice");
            if (toml::table* life = find_table(*transport, "lifeCycle"))
                ignore(*life, path + ".transport.lifeCycle", "requestAcceptGraceTimeout", "not configurable in Sluice");
        }
        if (toml::table* fh = find_table(ep, "forwardedHeaders"))
            for (const char* k : {"connection", "notAppendXForwardedFor", "addXForwardedSchemeHeaders"})
                ignore(*fh, path + ".forwardedHeaders", k, "not configurable in Sluice");
    }

    // Traefik reads a relative filename or directory from the working folder (not the
    // file's folder), and an empty one as not given. Both given is the native reader's error.
    void file(toml::table& file, const std::string& path) {
        bool named = false;
        for (const char* key : {"filename", "directory"}) {
            toml::node* name = find(file, key);
            if (!name) continue;
            if (auto* s = name->as_string(); s && s->get().empty()) {  // Traefik: empty is unset
                erase(file, key);
                continue;
            }
            named = true;
            if (auto* s = name->as_string(); s && std::filesystem::path(s->get()).is_relative())
                s->get() = std::filesystem::absolute(working_folder / s->get()).lexically_normal().string();
        }
        if (!named) refuse(path, &file, "neither filename nor directory is defined");
    }

    // The Docker providers read Traefik's labels (traefik.*), not Sluice's (sluice.*).
    void engine_provider(toml::table& t, const std::string& path) {
        if (!find(t, "labelPrefix")) t.insert("labelPrefix", "traefik");
        ignore(t, path, "watch", "Sluice always follows the engine's events");
        ignore(t, path, "httpClientTimeout", "Sluice's requests to the engine time out after 10 s");
    }

    void providers(toml::table& providers) {
        // Traefik v2's swarm mode of the docker provider is v3's swarm provider.
        if (toml::table* docker = find_table(providers, "docker")) {
            ignore(*docker, "providers.docker", "swarmModeRefreshSeconds",
                   "Sluice follows the manager's events, and lists again only while a change is under way");
            const bool swarm = truthy(find(*docker, "swarmMode"));
            erase(*docker, "swarmMode");
            if (swarm && find(providers, "swarm")) {
                refuse("providers.docker.swarmMode", docker, "providers.swarm is set too: use providers.swarm alone");
            } else if (swarm) {
                warnings.push_back("providers.docker.swarmMode: Traefik v2's swarm mode is read as providers.swarm "
                                   "(its objects are named name@swarm, not name@docker)");
                toml::table moved = std::move(*docker);
                erase(providers, "docker");
                providers.insert("swarm", std::move(moved));
            }
        }
        for (auto it = providers.begin(); it != providers.end();) {
            const std::string key(it->first.str());
            const std::string path = "providers." + key;
            if (iequals(key, "providersThrottleDuration")) {
                ++it;
            } else if (iequals(key, "file")) {
                if (toml::table* file = it->second.as_table()) this->file(*file, path);
                ++it;
            } else if (iequals(key, "docker")) {
                if (toml::table* docker = it->second.as_table()) engine_provider(*docker, path);
                ++it;
            } else if (iequals(key, "swarm")) {
                if (toml::table* swarm = it->second.as_table()) {
                    engine_provider(*swarm, path);
                    ignore(*swarm, path, "refreshSeconds",
                           "Sluice follows the manager's events, and lists again only while a change is under way");
                }
                ++it;
            } else if (iequals(key, "precedence")) {
                warnings.push_back(path + ": ignored: objects of the same name from two providers are both kept");
                it = providers.erase(it);
            } else {
                refuse(path, &it->second, "the " + key + " provider is not supported: its routers would be missing");
                it = providers.erase(it);
            }
        }
    }
};

}  // namespace

void translate_traefik_static(toml::table& root, const std::string& source, const std::filesystem::path& working_folder,
                              error_list& errors, std::vector<std::string>& warnings) {
    translator{root, source, working_folder, errors, warnings}.run();
}

}  // namespace sluice::config
