#include <gtest/gtest.h>

#include "config/dynamic_config.hpp"
#include "config/static_config.hpp"

namespace cfg = sluice::config;

namespace {

cfg::static_config parse_static(std::string_view text) {
    return cfg::parse_static_config(cfg::parse_toml_text(text, "sluice.toml"), "sluice.toml");
}

std::string static_errors(std::string_view text) {
    try {
        parse_static(text);
    } catch (const cfg::config_exception& e) {
        return e.what();
    }
    return "";
}

TEST(durations, accept_go_style_and_bare_seconds) {
    struct {
        std::string text;
        long long ms;
    } cases[] = {{"30s", 30'000}, {"500ms", 500}, {"1m30s", 90'000}, {"2h", 7'200'000}, {"10", 10'000}, {"1.5s", 1500}};
    for (const auto& c : cases) {
        std::chrono::milliseconds d{};
        ASSERT_TRUE(cfg::parse_duration(c.text, d)) << c.text;
        EXPECT_EQ(d.count(), c.ms) << c.text;
    }
    for (const char* bad : {"", "s", "10x", "-1s", "1s2"}) {
        std::chrono::milliseconds d{};
        EXPECT_FALSE(cfg::parse_duration(bad, d)) << bad;
    }
}

TEST(static_config, reads_traefik_shapes) {
    auto c = parse_static(R"toml(
[entryPoints.web]
address = ":8000"
[entryPoints.web.transport.respondingTimeouts]
readTimeout = "5s"
idleTimeout = "1m"
[entryPoints.web.forwardedHeaders]
trustedIPs = ["10.0.0.0/8"]
[serversTransport.forwardingTimeouts]
dialTimeout = "2s"
responseHeaderTimeout = "3s"
[log]
level = "DEBUG"
[accessLog]
format = "json"
[providers.file]
filename = "dynamic.toml"
watch = false
)toml");
    ASSERT_EQ(c.entry_points.size(), 1u);
    EXPECT_EQ(c.entry_points[0].address.port, 8000);
    EXPECT_EQ(c.entry_points[0].address.host, "");
    EXPECT_EQ(c.entry_points[0].read_timeout.count(), 5000);
    EXPECT_EQ(c.entry_points[0].idle_timeout.count(), 60'000);
    EXPECT_TRUE(c.entry_points[0].forwarded_trusted.at(0).contains("10.1.2.3"));
    EXPECT_EQ(c.forwarding.dial_timeout.count(), 2000);
    EXPECT_EQ(c.forwarding.response_header_timeout.count(), 3000);
    EXPECT_EQ(c.log_level, "debug");
    EXPECT_EQ(c.access_log->format, "json");
    EXPECT_EQ(c.file_provider->filename.filename(), "dynamic.toml");
    EXPECT_FALSE(c.file_provider->watch);
}

TEST(static_config, the_file_provider_reads_a_file_or_a_directory_never_both) {
    const auto c = cfg::parse_static_config(
        cfg::parse_toml_text("[entryPoints.web]\naddress = \":80\"\n[providers.file]\ndirectory = \"dynamic\"\n",
                             "/etc/sluice/sluice.toml"),
        "/etc/sluice/sluice.toml");
    EXPECT_EQ(c.file_provider->directory, "/etc/sluice/dynamic");  // next to the static file
    EXPECT_TRUE(c.file_provider->filename.empty());
    const auto slash = cfg::parse_static_config(
        cfg::parse_toml_text("[entryPoints.web]\naddress = \":80\"\n[providers.file]\ndirectory = \"./d/../dynamic/\"\n",
                             "/etc/sluice/sluice.toml"),
        "/etc/sluice/sluice.toml");
    EXPECT_EQ(slash.file_provider->directory, "/etc/sluice/dynamic");  // normalised, no trailing '/'
    EXPECT_NE(static_errors("[entryPoints.web]\naddress = \":80\"\n[providers.file]\ndirectory = \"\"\n")
                  .find("providers.file.directory: empty"),
              std::string::npos);
    const auto both = static_errors(
        "[entryPoints.web]\naddress = \":80\"\n[providers.file]\nfilename = \"a.toml\"\nDirectory = \"d\"\n");
    EXPECT_NE(both.find("sluice.toml:5: providers.file.directory: filename and directory are mutually exclusive"),
              std::string::npos)
        << both;
    const auto inline_too = static_errors(
        "[entryPoints.web]\naddress = \":80\"\n[providers.file]\ndirectory = \"d\"\n[http.routers]\n");
    EXPECT_NE(inline_too.find("providers.file.directory: the file has its own [http] tables"), std::string::npos)
        << inline_too;
}

TEST(static_config, unknown_key_names_file_line_and_suggestion) {
    const auto e = static_errors("[entryPoints.web]\naddress = \":80\"\n\n[entryPoints.web.transport.respondingTimeouts]\nreadTimout = \"5s\"\n");
    EXPECT_NE(e.find("sluice.toml:5: entryPoints.web.transport.respondingTimeouts.readTimout: unknown key"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("did you mean \"readTimeout\""), std::string::npos) << e;
}

TEST(static_config, reports_every_error_at_once) {
    const auto e = static_errors("[entryPoints.web]\naddress = \"nonsense\"\n[log]\nlevel = \"loud\"\n[accessLog]\nformat = 3\n");
    EXPECT_NE(e.find("entryPoints.web.address"), std::string::npos) << e;
    EXPECT_NE(e.find("log.level: \"loud\" is not one of"), std::string::npos) << e;
    EXPECT_NE(e.find("accessLog.format: expected a string, found an integer"), std::string::npos) << e;
}

TEST(static_config, a_provider_names_its_plugin_in_any_case) {
    auto c = parse_static(R"toml(
[entryPoints.web]
address = ":8000"
[providers.east]
Plugin = "docker"
endpoint = "unix:///run/east.sock"
[providers.docker]
exposedByDefault = false
)toml");
    ASSERT_EQ(c.providers.size(), 2u);
    EXPECT_EQ(c.providers[0].name, "docker");
    EXPECT_EQ(c.providers[0].plugin, "docker");  // an instance without `plugin` is its own plugin's name
    EXPECT_EQ(c.providers[1].name, "east");
    EXPECT_EQ(c.providers[1].plugin, "docker");
    // The key naming the plugin is not an option of the plugin's.
    EXPECT_EQ(c.providers[1].options.text.find("lugin"), std::string::npos) << c.providers[1].options.text;
    // What the plugin reports about its options names their lines in the file.
    EXPECT_EQ(c.providers[1].options.line_of("endpoint"), 6u);
    EXPECT_NE(static_errors("[entryPoints.web]\naddress = \":80\"\n[providers.x]\nPLUGIN = 3\n")
                  .find("sluice.toml:4: providers.x.PLUGIN: expected a string"),
              std::string::npos);
}

TEST(static_config, needs_an_entry_point) {
    EXPECT_NE(static_errors("[log]\nlevel = \"info\"\n").find("no entry point"), std::string::npos);
}

TEST(static_config, syntax_error_has_a_line) {
    EXPECT_NE(static_errors("[entryPoints.web]\naddress = \n").find("sluice.toml:2"), std::string::npos);
}

TEST(listen_address, forms) {
    cfg::listen_address a;
    ASSERT_TRUE(cfg::parse_listen_address(":80", a));
    EXPECT_EQ(a.host, "");
    ASSERT_TRUE(cfg::parse_listen_address("[::1]:8080", a));
    EXPECT_EQ(a.host, "::1");
    EXPECT_EQ(a.port, 8080);
    EXPECT_FALSE(cfg::parse_listen_address("8080", a));
    EXPECT_FALSE(cfg::parse_listen_address(":99999", a));
    EXPECT_FALSE(cfg::parse_listen_address("::1:80", a));
}

cfg::dynamic_config parse_dynamic(std::string_view text, const std::vector<std::string>& wrappers = {}) {
    return cfg::parse_dynamic_config(cfg::parse_toml_text(text, "dyn.toml"), "file", "dyn.toml", false, wrappers);
}

// A table named after a wrapping balancer switches it on; the parser keeps such tables in
// the order of the wrapper names it was given, and only those.
TEST(dynamic_config, wrapper_tables_are_kept_for_the_named_wrappers) {
    const std::string text = R"toml(
[http.services.s.loadBalancer]
strategy = "roundrobin"
servers = [{ url = "http://127.0.0.1:9001" }]
[http.services.s.loadBalancer.Sticky.cookie]
name = "pin"
[http.services.s.loadBalancer.audit]
)toml";
    auto d = parse_dynamic(text, {"audit", "sticky"});
    ASSERT_EQ(d.invalid.size(), 0u);
    const auto& s = d.services.at("s@file");
    ASSERT_EQ(s.wrappers.size(), 2u);
    EXPECT_EQ(s.wrappers[0].name, "audit");
    EXPECT_EQ(s.wrappers[1].name, "Sticky");  // as the document spells it
    EXPECT_EQ(s.wrappers[1].path, "http.services.s.loadBalancer.Sticky");
    EXPECT_EQ(toml::parse(s.wrappers[1].text)["cookie"]["name"].value_or(std::string()), "pin");
    EXPECT_EQ(s.strategy_options.name, "roundrobin");
    EXPECT_EQ(s.strategy_options.text, "");

    // Without that plugin, the same table is an unknown key, reported with its line.
    auto without = parse_dynamic(text, {"audit"});
    ASSERT_EQ(without.invalid.services.count("s@file"), 1u);
    EXPECT_EQ(without.invalid.services.at("s@file").at(0).to_string().rfind(
                  "dyn.toml:5: http.services.s.loadBalancer.Sticky: unknown key", 0),
              0u)
        << without.invalid.services.at("s@file").at(0).to_string();
}

// What a plugin reports about its table names the line of the key in the user's file.
TEST(plugin_table, a_plugin_error_names_the_line_of_its_key) {
    const std::string text = "# options\n[http.middlewares.m.headers]\nname = \"x\"\n\n[http.middlewares.m.headers.cookie]\n"
                             "MaxAge = \"long\"\nlist = [\n  \"a\",\n  3,\n]\n";
    auto d = parse_dynamic(text);
    const cfg::plugin_table& t = d.middlewares.at("m@file").plugin;
    cfg::error_list errors;
    cfg::plugin_error_sink sink(t, errors);
    sink.error("cookie.maxAge", "expected an integer, found a string");  // any case
    sink.error("cookie.list[1]", "expected a string, found an integer");
    sink.error("cookie.gone", "not there: the enclosing key's line");
    sink.error("", "the table as a whole");
    std::vector<std::string> shown;
    for (const auto& e : errors) shown.push_back(e.to_string());
    EXPECT_EQ(shown, (std::vector<std::string>{
                         "dyn.toml:6: http.middlewares.m.headers.cookie.maxAge: expected an integer, found a string",
                         "dyn.toml:9: http.middlewares.m.headers.cookie.list[1]: expected a string, found an integer",
                         "dyn.toml:5: http.middlewares.m.headers.cookie.gone: not there: the enclosing key's line",
                         "dyn.toml:2: http.middlewares.m.headers: the table as a whole"}));
}

TEST(dynamic_config, qualifies_names_and_references) {
    auto d = parse_dynamic(R"toml(
[http.routers.api]
rule = "Host(`a`)"
service = "api"
middlewares = ["strip", "auth@docker"]
[http.services.api.loadBalancer]
servers = [{ url = "http://127.0.0.1:9001" }, { url = "http://127.0.0.1:9002", weight = 3 }]
[http.middlewares.strip.stripPrefix]
prefixes = ["/api"]
)toml");
    ASSERT_EQ(d.invalid.size(), 0u);
    const auto& r = d.routers.at("api@file");
    EXPECT_EQ(r.service, "api@file");
    EXPECT_EQ(r.middlewares, (std::vector<std::string>{"strip@file", "auth@docker"}));
    const auto& s = d.services.at("api@file");
    EXPECT_EQ(s.strategy, "roundrobin");
    ASSERT_EQ(s.servers.size(), 2u);
    EXPECT_EQ(s.servers[1].weight, 3u);
    const auto& m = d.middlewares.at("strip@file");
    EXPECT_EQ(m.plugin.name, "stripPrefix");
    EXPECT_EQ(m.plugin.path, "http.middlewares.strip.stripPrefix");
    EXPECT_NE(m.plugin.text.find("prefixes"), std::string::npos);
}

TEST(dynamic_config, strategies_are_named_case_insensitively_and_traefiks_names_are_sluices) {
    for (const auto& [written, meant] : std::vector<std::pair<std::string, std::string>>{
             {"wrr", "roundrobin"}, {"WRR", "roundrobin"}, {"RoundRobin", "roundrobin"}, {"leastConn", "leastconn"},
             {"hrw", "hash"}, {"HRW", "hash"}}) {
        auto d = parse_dynamic("[http.services.api.loadBalancer]\nstrategy = \"" + written +
                               "\"\nservers = [{ url = \"http://127.0.0.1:9001\" }]\n");
        ASSERT_EQ(d.invalid.size(), 0u) << written;
        EXPECT_EQ(d.services.at("api@file").strategy, meant) << written;
    }
}

TEST(dynamic_config, weighted_and_failover_services_in_traefiks_shapes) {
    auto d = parse_dynamic(
        "[http.services.canary.weighted]\n"
        "services = [{ name = \"v1\", weight = 3 }, { name = \"v2@docker\" }, { name = \"off\", weight = 0 }]\n"
        "[http.services.canary.weighted.healthCheck]\n"
        "[http.services.safe.failover]\nservice = \"main\"\nfallback = \"spare\"\n");
    ASSERT_EQ(d.invalid.size(), 0u);
    const auto& canary = d.services.at("canary@file");
    EXPECT_EQ(canary.type, cfg::service_config::kind::weighted);
    ASSERT_EQ(canary.children.size(), 2u);  // weight 0: no share, as in Traefik
    EXPECT_EQ(canary.children[0].service, "v1@file");
    EXPECT_EQ(canary.children[0].weight, 3u);
    EXPECT_EQ(canary.children[1].service, "v2@docker");
    EXPECT_EQ(canary.children[1].weight, 1u);
    const auto& safe = d.services.at("safe@file");
    EXPECT_EQ(safe.type, cfg::service_config::kind::failover);
    ASSERT_EQ(safe.children.size(), 2u);
    EXPECT_EQ(safe.children[1].service, "spare@file");
}

TEST(dynamic_config, mirroring_in_traefiks_shape) {
    auto d = parse_dynamic(
        "[http.services.shadow.mirroring]\nservice = \"main\"\nmaxBodySize = 1024\nmirrorBody = false\n"
        "mirrors = [{ name = \"m1\", percent = 10 }, { name = \"m2@docker\" }]\n"
        "[http.services.plain.mirroring]\nservice = \"main\"\n");
    ASSERT_EQ(d.invalid.size(), 0u);
    const auto& shadow = d.services.at("shadow@file");
    EXPECT_EQ(shadow.type, cfg::service_config::kind::mirroring);
    ASSERT_EQ(shadow.children.size(), 3u);
    EXPECT_EQ(shadow.children[0].service, "main@file");
    EXPECT_EQ(shadow.children[1].service, "m1@file");
    EXPECT_EQ(shadow.children[1].weight, 10u);
    EXPECT_EQ(shadow.children[2].weight, 0u);  // Traefik's default percentage: none
    EXPECT_FALSE(shadow.mirror_body);
    EXPECT_EQ(shadow.max_body_size, 1024);
    const auto& plain = d.services.at("plain@file");  // Traefik's defaults: bodies copied, whatever their size
    EXPECT_TRUE(plain.mirror_body);
    EXPECT_EQ(plain.max_body_size, -1);
    EXPECT_EQ(plain.children.size(), 1u);
}

TEST(dynamic_config, a_composite_service_is_checked) {
    struct row {
        const char* text;
        const char* says;
    };
    for (const auto& r : std::vector<row>{
             {"[http.services.s.weighted]\n", "missing: the services to share among"},
             {"[http.services.s.weighted]\nservices = [{ weight = 2 }]\n", "missing: the service to send a share to"},
             {"[http.services.s.weighted]\nservices = [{ name = \"a\", weight = 0 }]\n", "no service with a weight above 0"},
             {"[http.services.s.weighted]\nservices = \"a\"\n", "expected an array of tables"},
             {"[http.services.s.failover]\nservice = \"a\"\n", "missing: the service to fall back to"},
             {"[http.services.s.failover]\nservice = \"a\"\nfallback = \"b\"\nfalback = 1\n", "unknown key"},
             {"[http.services.s.failover]\nservice = \"a\"\nfallback = \"b\"\n"
              "[http.services.s.loadBalancer]\nservers = [{ url = \"http://127.0.0.1:1\" }]\n",
              "not several"},
             {"[http.services.s]\npassHostHeader = true\n", "missing [loadBalancer], [weighted], [failover] or [mirroring]"},
             {"[http.services.s.mirroring]\nmirrors = [{ name = \"m\", percent = 5 }]\n", "missing: the service that answers"},
             {"[http.services.s.mirroring]\nservice = \"a\"\nmirrors = [{ name = \"m\", percent = 101 }]\n", "percent"},
             {"[http.services.s.mirroring]\nservice = \"a\"\nmirrors = [{ percent = 5 }]\n", "missing: the service to copy requests to"},
             {"[http.services.s.mirroring]\nservice = \"a\"\nmirrors = \"m\"\n", "expected an array of tables"},
             {"[http.services.s.mirroring]\nservice = \"a\"\nmaxBodySize = -2\n", "maxBodySize"},
         }) {
        auto d = parse_dynamic(r.text);
        ASSERT_EQ(d.invalid.services.count("s@file"), 1u) << r.text;
        std::string all;
        for (const auto& e : d.invalid.services.at("s@file")) all += e.to_string() + "\n";
        EXPECT_NE(all.find(r.says), std::string::npos) << r.text << all;
    }
}

TEST(dynamic_config, a_router_asking_for_tls_is_refused_not_served_in_clear) {
    auto d = parse_dynamic("[http.routers.secure]\nrule = \"Host(`a`)\"\nservice = \"s\"\ntls = true\n");
    ASSERT_EQ(d.invalid.routers.count("secure@file"), 1u);
    EXPECT_NE(d.invalid.routers.at("secure@file")[0].to_string().find("TLS termination is not supported"),
              std::string::npos);
}

TEST(dynamic_config, an_invalid_object_is_left_out_and_the_rest_applies) {
    auto d = parse_dynamic(R"toml(
[http.routers.good]
rule = "Host(`a`)"
service = "s"
[http.routers.bad]
rule = "Host(`b`)"
servce = "s"
[http.services.s.loadBalancer]
servers = [{ url = "ftp://nope" }]
)toml");
    EXPECT_EQ(d.routers.count("good@file"), 1u);
    ASSERT_EQ(d.invalid.routers.count("bad@file"), 1u);
    const auto& errors = d.invalid.routers.at("bad@file");
    bool suggested = false;
    for (const auto& e : errors) suggested = suggested || e.to_string().find("did you mean \"service\"") != std::string::npos;
    EXPECT_TRUE(suggested);
    ASSERT_EQ(d.invalid.services.count("s@file"), 1u);
    EXPECT_NE(d.invalid.services.at("s@file")[0].to_string().find("dyn.toml:9: http.services.s.loadBalancer.servers[0].url"),
              std::string::npos)
        << d.invalid.services.at("s@file")[0].to_string();
}

}  // namespace

// Plugin options reach the plugin as TOML text: it must be a document the plugin can read.
TEST(dynamic_config, plugin_options_are_handed_over_as_a_document) {
    auto inline_table = parse_dynamic("[http.middlewares.m]\nstripPrefix = { prefixes = [\"/a\"] }\n");
    ASSERT_EQ(inline_table.middlewares.count("m@file"), 1u);
    const toml::table options = toml::parse(inline_table.middlewares.at("m@file").plugin.text);
    EXPECT_EQ(options["prefixes"][0].value_or(std::string()), "/a");

    // A key toml++ cannot print back is refused with its path, not handed over unreadable.
    auto quoted = parse_dynamic("[http.middlewares.m.stripPrefix]\nprefixes = [\"/a\"]\n\"it's\" = 1\n");
    EXPECT_EQ(quoted.middlewares.count("m@file"), 0u);
    ASSERT_EQ(quoted.invalid.middlewares.count("m@file"), 1u);
    EXPECT_EQ(quoted.invalid.middlewares.at("m@file")[0].to_string(),
              "dyn.toml:3: http.middlewares.m.stripPrefix.it's: an option key is made of letters, digits, '-' and "
              "'_'");
}
