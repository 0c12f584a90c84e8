// Helpers for the label tests: containers as the Engine reports them, and a look at the
// document by dotted path.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <toml++/toml.h>

#include "labels.hpp"

namespace sluice::docker::test {

inline container make(std::string name, std::map<std::string, std::string> labels, std::string ip = "172.17.0.2",
                      std::vector<std::uint16_t> ports = {80}) {
    container c;
    c.id = "id-" + name;
    c.name = std::move(name);
    c.labels = std::move(labels);
    c.state = "running";
    c.exposed_ports = std::move(ports);
    c.network_mode = "bridge";
    c.networks["bridge"] = std::move(ip);
    return c;
}

inline container replica(std::string name, std::string ip, std::map<std::string, std::string> extra = {}) {
    extra["com.docker.compose.project"] = "demo";
    extra["com.docker.compose.service"] = "web";
    return make(std::move(name), std::move(extra), std::move(ip));
}

inline toml::table parse(const document& doc) { return toml::parse(doc.toml); }

// What is at a dotted path: the string or number there, "{}" for an empty table, "{...}" for
// a table with keys, "[n]" for an array of n, and "(absent)".
inline std::string at(const toml::table& t, std::string_view path) {
    const toml::node_view<const toml::node> n = t.at_path(path);
    if (!n) return "(absent)";
    if (auto s = n.value<std::string>(); s && n.is_string()) return *s;
    if (auto i = n.value<std::int64_t>(); i && n.is_integer()) return std::to_string(*i);
    if (const auto* tt = n.as_table()) return tt->empty() ? "{}" : "{...}";
    if (const auto* a = n.as_array()) return "[" + std::to_string(a->size()) + "]";
    return "(other)";
}

inline std::vector<std::string> urls(const toml::table& t, const std::string& service) {
    std::vector<std::string> out;
    if (auto servers = t["http"]["services"][service]["loadBalancer"]["servers"].as_array())
        for (auto& s : *servers) out.push_back(s.as_table()->get("url")->value<std::string>().value());
    return out;
}

inline std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += "\n  " + l;
    return out;
}

// Every expected fragment is in some warning, and there are exactly `count` warnings.
inline void expect_warnings(const document& doc, const std::vector<std::string>& fragments, std::size_t count) {
    for (const auto& f : fragments) {
        const bool found = std::any_of(doc.warnings.begin(), doc.warnings.end(),
                                       [&](const std::string& w) { return w.find(f) != std::string::npos; });
        EXPECT_TRUE(found) << "no warning contains \"" << f << "\"; warnings:" << joined(doc.warnings);
    }
    EXPECT_EQ(doc.warnings.size(), count) << "warnings:" << joined(doc.warnings);
}

}  // namespace sluice::docker::test
