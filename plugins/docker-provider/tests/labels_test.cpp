#include <gtest/gtest.h>

#include <toml++/toml.h>

#include "labels.hpp"

namespace d = sluice::docker;

namespace {

d::container make(std::string name, std::map<std::string, std::string> labels, std::string ip = "172.17.0.2",
                  std::vector<std::uint16_t> ports = {80}) {
    d::container c;
    c.id = "id-" + name;
    c.name = std::move(name);
    c.labels = std::move(labels);
    c.state = "running";
    c.exposed_ports = std::move(ports);
    c.network_mode = "bridge";
    c.networks["bridge"] = std::move(ip);
    return c;
}

d::container replica(std::string name, std::string ip, std::map<std::string, std::string> extra = {}) {
    extra["com.docker.compose.project"] = "demo";
    extra["com.docker.compose.service"] = "web";
    return make(std::move(name), std::move(extra), std::move(ip));
}

toml::table parse(const d::document& doc) { return toml::parse(doc.toml); }

std::vector<std::string> urls(const toml::table& t, const std::string& service) {
    std::vector<std::string> out;
    if (auto servers = t["http"]["services"][service]["loadBalancer"]["servers"].as_array())
        for (auto& s : *servers) out.push_back(s.as_table()->get("url")->value<std::string>().value());
    return out;
}

TEST(labels, compose_replicas_form_one_service_with_a_default_rule) {
    auto doc = d::build_document({replica("demo-web-2", "172.17.0.3"), replica("demo-web-1", "172.17.0.2")}, {});
    auto t = parse(doc);
    EXPECT_EQ(urls(t, "web-demo"), (std::vector<std::string>{"http://172.17.0.2:80", "http://172.17.0.3:80"}));
    EXPECT_EQ(t["http"]["routers"]["web-demo"]["rule"].value<std::string>(), "Host(`web-demo`)");
    EXPECT_EQ(t["http"]["routers"]["web-demo"]["service"].value<std::string>(), "web-demo");
    EXPECT_TRUE(doc.warnings.empty());
}

TEST(labels, order_of_containers_does_not_change_the_document) {
    auto a = d::build_document({replica("b", "172.17.0.3"), replica("a", "172.17.0.2")}, {});
    auto b = d::build_document({replica("a", "172.17.0.2"), replica("b", "172.17.0.3")}, {});
    EXPECT_EQ(a.toml, b.toml);
}

TEST(labels, traefik_grammar_under_a_configurable_prefix) {
    d::options opts;
    opts.label_prefix = "traefik";
    auto doc = d::build_document(
        {make("api", {{"traefik.http.routers.api.rule", "Host(`demo.localhost`) && PathPrefix(`/api`)"},
                      {"traefik.http.routers.api.middlewares", "strip"},
                      {"traefik.http.routers.api.entrypoints", "web"},
                      {"Traefik.HTTP.Services.api.LoadBalancer.Server.Port", "8080"},  // keys are case-insensitive
                      {"traefik.http.services.api.loadbalancer.sticky.cookie", "true"},
                      {"traefik.http.services.api.loadbalancer.healthcheck.path", "/health"},
                      {"traefik.http.middlewares.strip.stripprefix.prefixes", "/api"},
                      {"sluice.http.routers.ignored.rule", "Host(`x`)"}})},
        opts);
    auto t = parse(doc);
    EXPECT_EQ(t["http"]["routers"]["api"]["service"].value<std::string>(), "api");
    EXPECT_EQ(t["http"]["routers"]["api"]["middlewares"].value<std::string>(), "strip");
    EXPECT_EQ(urls(t, "api"), (std::vector<std::string>{"http://172.17.0.2:8080"}));
    EXPECT_EQ(t["http"]["services"]["api"]["loadBalancer"]["sticky"]["cookie"].value<std::string>(), "true");
    EXPECT_EQ(t["http"]["services"]["api"]["loadBalancer"]["healthcheck"]["path"].value<std::string>(), "/health");
    EXPECT_EQ(t["http"]["middlewares"]["strip"]["stripprefix"]["prefixes"].value<std::string>(), "/api");
    EXPECT_FALSE(t["http"]["routers"]["ignored"]);
}

TEST(labels, filtering) {
    auto stopped = make("stopped", {});
    stopped.state = "exited";
    auto paused = make("paused", {});
    paused.state = "paused";
    auto starting = make("starting", {});
    starting.health = "starting";
    auto unhealthy = make("unhealthy", {});
    unhealthy.health = "unhealthy";
    auto healthy = make("healthy", {});
    healthy.health = "healthy";
    auto stopping = make("stopping", {});
    stopping.stopping = true;
    auto disabled = make("disabled", {{"sluice.enable", "false"}});
    auto t = parse(d::build_document({stopped, paused, starting, unhealthy, healthy, stopping, disabled}, {}));
    EXPECT_EQ(t["http"]["services"].as_table()->size(), 1u);
    EXPECT_TRUE(t["http"]["services"]["healthy"]);
}

TEST(labels, exposed_by_default_off_needs_enable) {
    d::options opts;
    opts.exposed_by_default = false;
    auto t = parse(d::build_document({make("a", {}), make("b", {{"sluice.enable", "true"}})}, opts));
    EXPECT_FALSE(t["http"]["services"]["a"]);
    EXPECT_TRUE(t["http"]["services"]["b"]);
}

TEST(labels, port_is_the_label_else_the_lowest_exposed_else_skipped) {
    auto t = parse(d::build_document({make("low", {}, "172.17.0.2", {443, 80, 8080}),
                                      make("none", {}, "172.17.0.3", {})},
                                     {}));
    EXPECT_EQ(urls(t, "low"), (std::vector<std::string>{"http://172.17.0.2:80"}));
    EXPECT_FALSE(t["http"]["services"]["none"]);
    auto doc = d::build_document({make("none", {}, "172.17.0.3", {})}, {});
    ASSERT_EQ(doc.warnings.size(), 1u);
    EXPECT_NE(doc.warnings[0].find("no port for service none"), std::string::npos);
}

TEST(labels, bad_labels_skip_the_container_with_a_warning_naming_the_label) {
    auto doc = d::build_document({make("bad", {{"sluice.http.services.bad.loadbalancer.server.port", "eighty"}}),
                                  make("good", {}, "172.17.0.4")},
                                 {});
    auto t = parse(doc);
    EXPECT_FALSE(t["http"]["services"]["bad"]);
    EXPECT_TRUE(t["http"]["services"]["good"]);
    ASSERT_EQ(doc.warnings.size(), 1u);
    EXPECT_NE(doc.warnings[0].find("sluice.http.services.bad.loadbalancer.server.port=eighty"), std::string::npos);
}

TEST(labels, network_choice_is_deterministic) {
    auto two = make("two", {}, "");
    two.networks = {{"zeta", "10.0.2.5"}, {"alpha", "10.0.1.5"}};
    EXPECT_EQ(urls(parse(d::build_document({two}, {})), "two"), (std::vector<std::string>{"http://10.0.1.5:80"}));
    d::options opts;
    opts.network = "zeta";
    EXPECT_EQ(urls(parse(d::build_document({two}, opts)), "two"), (std::vector<std::string>{"http://10.0.2.5:80"}));
    auto labelled = two;
    labelled.labels["sluice.docker.network"] = "zeta";
    EXPECT_EQ(urls(parse(d::build_document({labelled}, {})), "two"), (std::vector<std::string>{"http://10.0.2.5:80"}));
    opts.network.clear();
    opts.own_networks = {"zeta"};
    EXPECT_EQ(urls(parse(d::build_document({two}, opts)), "two"), (std::vector<std::string>{"http://10.0.2.5:80"}));
}

TEST(labels, host_network_is_loopback_with_the_labelled_port) {
    auto host = make("host", {{"sluice.http.services.host.loadbalancer.server.port", "9090"}}, "");
    host.network_mode = "host";
    host.networks = {{"host", ""}};
    EXPECT_EQ(urls(parse(d::build_document({host}, {})), "host"), (std::vector<std::string>{"http://127.0.0.1:9090"}));
}

TEST(labels, replicas_that_disagree_get_a_warning_and_the_first_wins) {
    auto a = replica("web-1", "172.17.0.2", {{"sluice.http.routers.web.rule", "Host(`a`)"}});
    auto b = replica("web-2", "172.17.0.3", {{"sluice.http.routers.web.rule", "Host(`b`)"}});
    auto doc = d::build_document({b, a}, {});
    EXPECT_EQ(parse(doc)["http"]["routers"]["web"]["rule"].value<std::string>(), "Host(`a`)");
    ASSERT_EQ(doc.warnings.size(), 1u);
    EXPECT_NE(doc.warnings[0].find("replicas disagree"), std::string::npos);
}

TEST(labels, weights_and_unknown_labels) {
    auto doc = d::build_document({make("w", {{"sluice.http.services.w.loadbalancer.server.weight", "3"}}),
                                  make("odd", {{"sluice.tcp.routers.x.rule", "y"}}, "172.17.0.9")},
                                 {});
    auto t = parse(doc);
    EXPECT_EQ(t["http"]["services"]["w"]["loadBalancer"]["servers"][0]["weight"].value<std::int64_t>(), 3);
    EXPECT_FALSE(t["http"]["services"]["odd"]);
    ASSERT_EQ(doc.warnings.size(), 1u);
    EXPECT_NE(doc.warnings[0].find("sluice.tcp.routers.x.rule is not understood"), std::string::npos);
}

TEST(labels, normalize) {
    EXPECT_EQ(d::normalize("web_1.x"), "web-1-x");
    EXPECT_EQ(d::normalize("--a__b--"), "a-b");
}

}  // namespace
