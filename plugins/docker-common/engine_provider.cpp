// What the docker and swarm providers share around the Engine (engine_provider.hpp).
#include "engine_provider.hpp"

#include <cctype>
#include <fstream>
#include <stdexcept>

#include "engine_json.hpp"

namespace sluice::docker {

void read_engine_settings(sdk::config_reader& options, engine_settings& s) {
    s.endpoint = options.string_or("endpoint", s.endpoint);
    s.labels.label_prefix = options.string_or("labelPrefix", s.labels.label_prefix);
    s.labels.network = options.string_or("network", s.labels.network);
    s.labels.default_rule = options.string_or("defaultRule", s.labels.default_rule);
    s.labels.exposed_by_default = options.boolean_or("exposedByDefault", s.labels.exposed_by_default);
    s.labels.allow_empty_services = options.boolean_or("allowEmptyServices", s.labels.allow_empty_services);
    try {
        s.labels.only = constraints::parse(options.string_or("constraints", ""));
    } catch (const std::invalid_argument& e) {
        options.error("constraints", e.what());
    }
    if (!s.endpoint.starts_with("unix://") && !s.endpoint.starts_with("tcp://"))
        options.error("endpoint", "\"" + s.endpoint + "\" is neither unix:///path nor tcp://host:port");
    if (auto tls = options.switched_table("tls")) {
        tls_settings t{tls->string_or("ca", ""), tls->string_or("cert", ""), tls->string_or("key", ""),
                       tls->boolean_or("insecureSkipVerify", false)};
        s.verify_host = !t.insecure_skip_verify;
        if (!s.endpoint.starts_with("tcp://")) options.error("tls", "TLS needs a tcp://host:port endpoint");
        try {
            s.tls = make_tls_context(t);
        } catch (const std::invalid_argument& e) {
            const std::string what = e.what();  // "tls.<key>: ..."
            const auto colon = what.find(": ");
            options.error(what.substr(0, colon), what.substr(colon + 2));
        }
    }
}

std::string own_container_id() {
    std::ifstream hostname_file("/etc/hostname");
    std::string hostname;
    std::getline(hostname_file, hostname);
    if (hostname.empty() || !std::ifstream("/.dockerenv")) return {};
    return hostname;
}

std::vector<std::string> inspected_network_names(const std::string& body) {
    std::vector<std::string> names;
    const json::value doc = json::parse(body);
    if (!doc.is_object()) return names;
    if (const auto* settings = object_at(doc.as_object(), "NetworkSettings"))
        if (const auto* nets = object_at(*settings, "Networks"))
            for (const auto& [name, net] : *nets) names.emplace_back(name);
    return names;
}

std::string url_encode(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            static constexpr char hex[] = "0123456789ABCDEF";
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

}  // namespace sluice::docker
