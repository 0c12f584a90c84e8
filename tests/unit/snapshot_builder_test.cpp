// A new snapshot keeps the objects whose definitions did not change: a task joining one
// service does not build the others' balancers, middlewares or routes again.
#include <gtest/gtest.h>

#include <string>

#include "control/configuration_watcher.hpp"
#include "control/snapshot_builder.hpp"
#include "plugin/plugin_registry.hpp"
#include "plugin/plugin_services.hpp"

namespace sluice::control {
namespace {

struct builder {
    plugin::plugin_registry plugins = plugin::plugin_registry::scan({SLUICE_PLUGIN_FOLDER});
    plugin::plugin_services services;
    std::vector<std::string> entry_points{"web"};

    std::shared_ptr<runtime::snapshot> build(const std::string& document, const runtime::snapshot* previous) {
        auto cfg = std::make_shared<config::dynamic_config>(
            parse_provider_document("docker", "docker", document, false, plugins.balancer_wrappers()));
        std::shared_ptr<runtime::snapshot> snap = build_snapshot(*cfg, plugins, services, entry_points, 1, previous);
        snap->config = cfg;
        return snap;
    }
};

// Two services behind their routers, one with a middleware; `web_servers` is the changing part.
std::string document(const std::string& web_servers, const std::string& api_rule = "PathPrefix(`/api`)") {
    return R"toml(
[http.routers.web]
rule = "Host(`web.localhost`)"
service = "web"
[http.routers.api]
rule = ")toml" + api_rule + R"toml("
service = "api"
middlewares = ["strip"]
[http.middlewares.strip.stripPrefix]
prefixes = ["/api"]
[http.services.web.loadBalancer]
servers = [)toml" + web_servers + R"toml(]
[http.services.api.loadBalancer]
strategy = "leastconn"
servers = [{ url = "http://127.0.0.1:9001" }]
[http.services.both.weighted]
services = [{ name = "web", weight = 1 }, { name = "api", weight = 1 }]
[http.services.apis.weighted]
services = [{ name = "api", weight = 1 }]
)toml";
}

TEST(snapshot_builder, unchanged_objects_are_kept_and_changed_ones_built_again) {
    builder b;
    ASSERT_TRUE(b.plugins.refusals().empty());
    const auto one = b.build(document(R"({ url = "http://127.0.0.1:9101" })"), nullptr);
    ASSERT_TRUE(one->disabled.size() == 0);
    const auto two = b.build(document(R"({ url = "http://127.0.0.1:9101" }, { url = "http://127.0.0.1:9102" })"),
                             one.get());
    ASSERT_TRUE(two->disabled.size() == 0);
    // The service that changed, and what leads to it, are new.
    EXPECT_NE(two->services.at("web@docker"), one->services.at("web@docker"));
    EXPECT_EQ(two->services.at("web@docker")->servers.size(), 2u);
    EXPECT_NE(two->routes.at("web@docker"), one->routes.at("web@docker"));
    EXPECT_NE(two->services.at("both@docker"), one->services.at("both@docker"));
    // The rest is the same objects: balancers, middlewares, routes, composites over them.
    EXPECT_EQ(two->services.at("api@docker"), one->services.at("api@docker"));
    EXPECT_EQ(two->middlewares.at("strip@docker"), one->middlewares.at("strip@docker"));
    EXPECT_EQ(two->routes.at("api@docker"), one->routes.at("api@docker"));
    EXPECT_EQ(two->services.at("apis@docker"), one->services.at("apis@docker"));
    runtime::route_input request;
    request.host = "web.localhost";
    request.path = "/";
    request.method = "GET";
    EXPECT_EQ(two->table("web")->match(request), two->routes.at("web@docker").get());

    // A router whose rule changed is built again; its service and middleware stay.
    const auto three = b.build(document(R"({ url = "http://127.0.0.1:9101" }, { url = "http://127.0.0.1:9102" })",
                                        "PathPrefix(`/v2`)"),
                               two.get());
    EXPECT_NE(three->routes.at("api@docker"), two->routes.at("api@docker"));
    EXPECT_EQ(three->routes.at("api@docker")->target, two->services.at("api@docker").get());
    EXPECT_EQ(three->routes.at("web@docker"), two->routes.at("web@docker"));
}

TEST(snapshot_builder, the_same_definition_written_elsewhere_is_kept) {
    builder b;
    const std::string servers = R"({ url = "http://127.0.0.1:9101" })";
    const auto one = b.build(document(servers), nullptr);
    // The same objects at other lines of the document (a provider's text reordered).
    const auto two = b.build("\n\n# moved\n" + document(servers), one.get());
    EXPECT_EQ(two->services.at("web@docker"), one->services.at("web@docker"));
    EXPECT_EQ(two->routes.at("api@docker"), one->routes.at("api@docker"));
}

// Chains (Traefik's chain middleware) are expanded into the plugin middlewares they run, a
// chain within a chain in its place; a cycle is refused with the cycle named, and only the
// routers through it are disabled.
TEST(snapshot_builder, chains_expand_in_order_and_cycles_are_named) {
    builder b;
    const std::string common = R"toml(
[http.services.s.loadBalancer]
servers = [{ url = "http://127.0.0.1:9101" }]
[http.middlewares.a.addPrefix]
prefix = "/a"
[http.middlewares.b.addPrefix]
prefix = "/b"
[http.middlewares.c.addPrefix]
prefix = "/c"
[http.middlewares.inner.chain]
middlewares = ["b", "c"]
[http.middlewares.outer.chain]
middlewares = "a, inner, a"
[http.routers.through]
rule = "Path(`/x`)"
service = "s"
middlewares = ["c", "outer"]
[http.routers.plain]
rule = "Path(`/y`)"
service = "s"
)toml";
    const auto snap = b.build(common, nullptr);
    ASSERT_EQ(snap->disabled.size(), 0u);
    const auto& m = snap->middlewares;
    const std::vector<const runtime::middleware*> want{m.at("c@docker").get(), m.at("a@docker").get(),
                                                       m.at("b@docker").get(), m.at("c@docker").get(),
                                                       m.at("a@docker").get()};
    EXPECT_EQ(snap->routes.at("through@docker")->chain, want);
    // Built again with nothing changed: the route is kept (its expanded chain is the same).
    const auto again = b.build(common, snap.get());
    EXPECT_EQ(again->routes.at("through@docker"), snap->routes.at("through@docker"));

    const auto cyclic = b.build(common + R"toml(
[http.middlewares.loop1.chain]
middlewares = ["a", "loop2"]
[http.middlewares.loop2.chain]
middlewares = ["loop1"]
[http.middlewares.self.chain]
middlewares = ["self"]
[http.middlewares.missing.chain]
middlewares = ["a", "nowhere"]
[http.routers.looping]
rule = "Path(`/z`)"
service = "s"
middlewares = ["loop2"]
)toml",
                                snap.get());
    const auto& off = cyclic->disabled.middlewares;
    ASSERT_EQ(off.count("loop1@docker"), 1u);
    EXPECT_EQ(off.at("loop1@docker").size(), 1u);
    EXPECT_EQ(off.at("loop1@docker")[0].message, "a cycle of chains: loop1@docker -> loop2@docker -> loop1@docker");
    EXPECT_EQ(off.at("loop1@docker")[0].key, "http.middlewares.loop1.chain.middlewares");
    EXPECT_EQ(off.at("loop2@docker")[0].message, "a cycle of chains: loop1@docker -> loop2@docker -> loop1@docker");
    EXPECT_EQ(off.at("self@docker")[0].message, "a cycle of chains: self@docker -> self@docker");
    EXPECT_EQ(off.at("missing@docker")[0].message, "middleware \"nowhere@docker\" does not exist");
    EXPECT_EQ(cyclic->disabled.routers.count("looping@docker"), 1u);
    EXPECT_EQ(cyclic->routes.count("through@docker"), 1u);  // the rest keeps serving
    EXPECT_EQ(cyclic->routes.count("plain@docker"), 1u);

    // A chain with no middleware, or with an option it does not take, is invalid.
    const auto empty = b.build(common + "[http.middlewares.none.chain]\nmiddlewares = []\n"
                                        "[http.middlewares.odd.chain]\nmiddlewares = [\"a\"]\nordered = true\n",
                               nullptr);
    ASSERT_EQ(empty->config->invalid.middlewares.count("none@docker"), 1u);
    EXPECT_NE(empty->config->invalid.middlewares.at("none@docker")[0].message.find("at least one"), std::string::npos);
    EXPECT_EQ(empty->config->invalid.middlewares.count("odd@docker"), 1u);
}

}  // namespace
}  // namespace sluice::control
