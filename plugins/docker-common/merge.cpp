#include "merge.hpp"

#include <set>
#include <tuple>
#include <sstream>

namespace sluice::docker {

namespace {

// "loadBalancer.sticky.cookie.name" -> value. An empty table is a switch that is on.
void flatten(const toml::table& t, const std::string& at, std::map<std::string, std::string>& out) {
    if (t.empty() && !at.empty()) out[at] = "(on)";
    for (auto&& [k, v] : t) {
        const std::string path = at.empty() ? std::string(k.str()) : at + "." + std::string(k.str());
        if (const auto* sub = v.as_table()) {
            flatten(*sub, path, out);
        } else if (auto s = v.value<std::string>()) {
            out[path] = "\"" + *s + "\"";
        } else {
            std::ostringstream text;
            v.visit([&](const auto& x) { text << x; });
            out[path] = text.str();
        }
    }
}

// `option is "a" on x but "b" on y` for every option where two pieces differ.
std::string differences(const std::map<std::string, std::string>& a, const std::string& from_a,
                        const std::map<std::string, std::string>& b, const std::string& from_b) {
    std::set<std::string> keys;
    for (const auto& [k, v] : a) keys.insert(k);
    for (const auto& [k, v] : b) keys.insert(k);
    std::string out;
    for (const auto& k : keys) {
        const auto x = a.find(k), y = b.find(k);
        const std::string va = x == a.end() ? "not set" : x->second, vb = y == b.end() ? "not set" : y->second;
        if (va == vb) continue;
        if (!out.empty()) out += "; ";
        out += k + " is " + va + " on " + from_a + " but " + vb + " on " + from_b;
    }
    return out;
}

}  // namespace

void merger::add_router(const std::string& name, const source& from, toml::table t) {
    routers_[name].push_back({from, std::move(t)});
}

void merger::add_service(const std::string& name, const source& from, toml::table t,
                         std::optional<toml::table> server) {
    services_[name].push_back({from, std::move(t)});
    auto& servers = servers_[name];
    if (server) servers.push_back(std::move(*server));
}

void merger::add_middleware(const std::string& name, const source& from, toml::table t) {
    middlewares_[name].push_back({from, std::move(t)});
}

toml::table merger::build(std::vector<std::string>& warnings) const {
    toml::table http;
    auto section = [&](const pieces& all, std::string_view kind, std::string_view key) {
        toml::table out;
        for (const auto& [name, list] : all) {
            // The same object from several containers should say the same thing. When it does
            // not, the newest container's says it: replicas of one service disagree during a
            // rolling update that changes their labels, and leaving the object out (as Traefik
            // does) would take the service down until the last old replica stops.
            std::map<std::string, std::string> first;
            flatten(list.front().table, "", first);
            std::string diff;
            for (std::size_t i = 1; i < list.size(); ++i) {
                std::map<std::string, std::string> other;
                flatten(list[i].table, "", other);
                const std::string d = differences(first, list.front().from.container, other, list[i].from.container);
                if (!d.empty()) diff += (diff.empty() ? "" : "; ") + d;
            }
            const piece* chosen = &list.front();
            if (!diff.empty()) {
                for (const auto& p : list)
                    if (std::tie(p.from.started, p.from.container) > std::tie(chosen->from.started, chosen->from.container))
                        chosen = &p;
                warnings.push_back(std::string(kind) + " " + name + " is defined differently by its containers (" +
                                   diff + "): the newest, " + chosen->from.container + ", defines it");
            }
            toml::table t = chosen->table;
            if (kind == "service") {
                toml::node* lb = t.get("loadBalancer");
                if (!lb) lb = &t.insert_or_assign("loadBalancer", toml::table{}).first->second;
                toml::array servers;
                std::set<std::string> seen;  // one server per address, whichever replica says so first
                for (const auto& s : servers_.at(name))
                    if (seen.insert(s.get("url")->value<std::string>().value_or("")).second) servers.push_back(s);
                lb->as_table()->insert_or_assign("servers", std::move(servers));
            }
            out.insert_or_assign(name, std::move(t));
        }
        if (!out.empty()) http.insert_or_assign(key, std::move(out));
    };
    section(routers_, "router", "routers");
    section(services_, "service", "services");
    section(middlewares_, "middleware", "middlewares");
    return http;
}

}  // namespace sluice::docker
