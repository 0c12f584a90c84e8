#include "test_support.hpp"

namespace d = sluice::docker;
using namespace sluice::docker::test;

namespace {

constexpr auto absent = "(absent)";
constexpr auto lb = "http.services.s.loadBalancer.";

// --- A key may carry a value and options at once (Traefik's label grammar).
struct grammar_case {
    std::string name;
    std::map<std::string, std::string> labels;  // under "traefik.", on a container with service "s"
    std::map<std::string, std::string> expect;  // path below http. -> what is there
    std::size_t warning_count = 0;
};

std::vector<grammar_case> grammar_cases() {
    const std::string svc = "http.services.s.loadbalancer.";
    return {
        {"cookie true and a name: one named cookie",
         {{svc + "sticky.cookie", "true"}, {svc + "sticky.cookie.name", "static_cookie"}},
         {{"sticky.cookie.name", "static_cookie"}}},
        // Keys sort differently by case: the tree is built in the other order.
        {"the same, labels in the other order",
         {{"http.services.s.LoadBalancer.Sticky.Cookie", "true"}, {svc + "sticky.cookie.name", "static_cookie"}},
         {{"sticky.cookie.name", "static_cookie"}}},
        {"the same, value label last",
         {{svc + "sticky.cookie", "TRUE"}, {"http.services.s.LoadBalancer.Sticky.Cookie.Name", "static_cookie"}},
         {{"sticky.cookie.name", "static_cookie"}}},
        {"cookie true alone: on with defaults", {{svc + "sticky.cookie", "true"}}, {{"sticky.cookie", "{}"}}},
        {"cookie options alone: on", {{svc + "sticky.cookie.name", "n"}, {svc + "sticky.cookie.secure", "true"}},
         {{"sticky.cookie.name", "n"}, {"sticky.cookie.secure", "true"}}},
        {"sticky false with options: no sticky",
         {{svc + "sticky", "false"}, {svc + "sticky.cookie.name", "fui"}}, {{"sticky", absent}, {"servers", "[1]"}}},
        {"cookie false with options: no cookie",
         {{svc + "sticky.cookie", "false"}, {svc + "sticky.cookie.name", "fui"}},
         {{"sticky.cookie", absent}, {"servers", "[1]"}}},
        {"sticky true alone: an empty sticky, no cookie (as Traefik)", {{svc + "sticky", "true"}},
         {{"sticky", "{}"}, {"sticky.cookie", absent}}},
        {"a switch that is neither true nor false is off, with a warning",
         {{svc + "sticky.cookie", "yes"}, {svc + "sticky.cookie.name", "x"}}, {{"sticky.cookie", absent}}, 1},
        {"a group of options ignores a value of its own, with a warning",
         {{svc + "healthcheck", "true"}, {svc + "healthcheck.path", "/health"}},
         {{"healthCheck.path", "/health"}}, 1},
        {"keys take the core's spelling",
         {{svc + "PASSHOSTHEADER", "false"}, {svc + "healthcheck.unhealthythreshold", "3"},
          {svc + "passivehealthcheck.maxfailedattempts", "2"}, {svc + "slowstart", "30s"}},
         {{"passHostHeader", "false"}, {"healthCheck.unhealthyThreshold", "3"},
          {"passiveHealthCheck.maxFailedAttempts", "2"}, {"slowStart", "30s"}}},
        {"a value with options below it: the options are ignored, with a warning",
         {{svc + "strategy", "roundrobin"}, {svc + "strategy.x", "1"}}, {{"strategy", "roundrobin"}}, 1},
        {"the balancer's own options follow the strategy",
         {{svc + "strategy", "ewma"}, {svc + "ewma.decay", "10s"}, {svc + "other.x", "1"}},
         {{"ewma.decay", "10s"}, {"other", absent}}, 1},
    };
}

void PrintTo(const grammar_case& c, std::ostream* os) { *os << c.name; }

class grammar : public ::testing::TestWithParam<grammar_case> {};

TEST_P(grammar, decodes) {
    const auto& c = GetParam();
    std::map<std::string, std::string> labels;
    for (const auto& [k, v] : c.labels) labels["traefik." + k] = v;
    d::options opts;
    opts.label_prefix = "traefik";
    const auto doc = d::build_document({make("s", labels)}, opts);
    const auto t = parse(doc);
    for (const auto& [path, want] : c.expect) EXPECT_EQ(at(t, lb + path), want) << path << " in\n" << doc.toml;
    EXPECT_EQ(at(t, "http.routers.s.service"), "s") << doc.toml;  // the container still serves
    expect_warnings(doc, {}, c.warning_count);
}

INSTANTIATE_TEST_SUITE_P(labels, grammar, ::testing::ValuesIn(grammar_cases()),
                         [](const ::testing::TestParamInfo<grammar_case>& info) {
                             std::string n;
                             for (char ch : info.param.name) n += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                             return n;
                         });

// Traefik's label_test.go, the HTTP routers and services it decodes (middlewares are any
// plugin's options here, passed on as written).
TEST(labels, traefik_decode_configuration) {
    d::options opts;
    opts.label_prefix = "traefik";
    const std::string s0 = "traefik.http.services.Service0.loadbalancer.", s1 = "traefik.http.services.Service1.loadbalancer.";
    const auto doc = d::build_document(
        {make("c", {{"traefik.http.routers.Router0.entrypoints", "foobar, fiibar"},
                    {"traefik.http.routers.Router0.middlewares", "foobar, fiibar"},
                    {"traefik.http.routers.Router0.priority", "42"},
                    {"traefik.http.routers.Router0.rule", "foobar"},
                    {"traefik.http.routers.Router0.tls", "true"},
                    {"traefik.http.routers.Router0.service", "foobar"},
                    {"traefik.http.routers.Router1.rule", "foobar"},
                    {"traefik.http.routers.Router1.tls", "false"},
                    {"traefik.http.routers.Router1.service", "foobar"},
                    {s0 + "healthcheck.headers.name0", "foobar"},
                    {s0 + "healthcheck.hostname", "foobar"},
                    {s0 + "healthcheck.interval", "1s"},
                    {s0 + "healthcheck.path", "foobar"},
                    {s0 + "healthcheck.port", "42"},
                    {s0 + "passhostheader", "true"},
                    {s0 + "strategy", "foobar"},
                    {s0 + "server.port", "8080"},
                    {s0 + "sticky.cookie.name", "foobar"},
                    {s0 + "sticky.cookie.secure", "true"},
                    {s0 + "sticky.cookie.path", "/foobar"},
                    {s0 + "sticky.cookie.domain", "foo.com"},
                    {s1 + "sticky", "false"},
                    {s1 + "sticky.cookie.name", "fui"},
                    {"traefik.HTTP.Middlewares.Middleware4.circuitbreaker.checkperiod", "1s"},
                    {"traefik.http.middlewares.Middleware8.headers.customrequestheaders.name0", "foobar"},
                    {"traefik.http.middlewares.Middleware17.compress", "true"}})},
        opts);
    const auto t = parse(doc);
    const std::map<std::string, std::string> expect = {
        {"http.routers.Router0.entryPoints", "foobar, fiibar"},
        {"http.routers.Router0.middlewares", "foobar, fiibar"},
        {"http.routers.Router0.priority", "42"},
        {"http.routers.Router0.tls", "{}"},  // the core refuses the router: TLS is not terminated here
        {"http.routers.Router1.tls", absent},
        {"http.services.Service0.loadBalancer.healthCheck.headers.name0", "foobar"},
        {"http.services.Service0.loadBalancer.healthCheck.port", "42"},
        {"http.services.Service0.loadBalancer.sticky.cookie.name", "foobar"},
        {"http.services.Service0.loadBalancer.sticky.cookie.path", "/foobar"},
        {"http.services.Service0.loadBalancer.servers[0].url", "http://172.17.0.2:8080"},
        {"http.services.Service1.loadBalancer.sticky", absent},
        {"http.services.Service1.loadBalancer.servers[0].url", "http://172.17.0.2:80"},
        {"http.middlewares.Middleware4.circuitbreaker.checkperiod", "1s"},
        {"http.middlewares.Middleware8.headers.customrequestheaders.name0", "foobar"},
        {"http.middlewares.Middleware17.compress", "{}"},
    };
    for (const auto& [path, want] : expect) EXPECT_EQ(at(t, path), want) << path << " in\n" << doc.toml;
    expect_warnings(doc, {}, 0);
}

TEST(labels, compose_replicas_form_one_service_with_a_default_rule) {
    auto doc = d::build_document({replica("demo-web-2", "172.17.0.3"), replica("demo-web-1", "172.17.0.2")}, {});
    auto t = parse(doc);
    EXPECT_EQ(urls(t, "web-demo"), (std::vector<std::string>{"http://172.17.0.2:80", "http://172.17.0.3:80"}));
    EXPECT_EQ(at(t, "http.routers.web-demo.rule"), "Host(`web-demo`)");
    EXPECT_EQ(at(t, "http.routers.web-demo.service"), "web-demo");
    EXPECT_TRUE(doc.warnings.empty());
}

// The default router and rule are the container's, not the first labelled service's.
TEST(labels, default_router_and_rule_come_from_the_container) {
    auto doc = d::build_document(
        {replica("demo-web-1", "172.17.0.2", {{"sluice.http.services.static.loadbalancer.server.port", "8080"}})}, {});
    auto t = parse(doc);
    EXPECT_EQ(at(t, "http.routers.web-demo.rule"), "Host(`web-demo`)") << doc.toml;
    EXPECT_EQ(at(t, "http.routers.web-demo.service"), "static");
    EXPECT_EQ(at(t, "http.routers.static"), absent);
    EXPECT_EQ(urls(t, "static"), (std::vector<std::string>{"http://172.17.0.2:8080"}));
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
    EXPECT_EQ(at(t, "http.routers.api.service"), "api");
    EXPECT_EQ(at(t, "http.routers.api.middlewares"), "strip");
    EXPECT_EQ(urls(t, "api"), (std::vector<std::string>{"http://172.17.0.2:8080"}));
    EXPECT_EQ(at(t, "http.services.api.loadBalancer.sticky.cookie"), "{}");
    EXPECT_EQ(at(t, "http.services.api.loadBalancer.healthCheck.path"), "/health");
    EXPECT_EQ(at(t, "http.middlewares.strip.stripprefix.prefixes"), "/api");
    EXPECT_EQ(at(t, "http.routers.ignored"), absent);
    EXPECT_TRUE(doc.warnings.empty()) << joined(doc.warnings);
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

// Traefik's allowEmptyServices: a container that is not serving keeps its router and
// service, with no server of its own; a service no replica serves has servers = [] (503).
TEST(labels, allow_empty_services_keeps_what_is_not_serving_without_a_server) {
    auto starting = replica("web-1", "172.17.0.2");
    starting.health = "starting";
    auto unhealthy = make("lonely", {}, "172.17.0.5");
    unhealthy.health = "unhealthy";
    auto healthy = replica("web-2", "172.17.0.3");
    auto stopping = replica("web-3", "172.17.0.4");
    stopping.stopping = true;
    auto exited = make("exited", {});
    exited.state = "exited";
    d::options opts;
    opts.allow_empty_services = true;
    auto t = parse(d::build_document({starting, unhealthy, healthy, stopping, exited}, opts));
    EXPECT_EQ(urls(t, "web-demo"), std::vector<std::string>{"http://172.17.0.3:80"});
    EXPECT_EQ(at(t, "http.services.lonely.loadBalancer.servers"), "[0]");
    EXPECT_EQ(at(t, "http.routers.lonely.rule"), "Host(`lonely`)");
    EXPECT_EQ(at(t, "http.routers.exited"), "(absent)");  // only running containers, as in Traefik
    // Off (the default): the same containers give no lonely router at all.
    opts.allow_empty_services = false;
    auto off = parse(d::build_document({starting, unhealthy, healthy, stopping, exited}, opts));
    EXPECT_EQ(at(off, "http.routers.lonely"), "(absent)");
    EXPECT_EQ(urls(off, "web-demo"), std::vector<std::string>{"http://172.17.0.3:80"});
}

TEST(labels, constraints_choose_the_containers_looked_at) {
    d::options opts;
    opts.only = d::constraints::parse("Label(`team`, `blue`) && !LabelRegex(`tier`, `^db`)");
    auto t = parse(d::build_document({make("a", {{"team", "blue"}, {"tier", "web"}}),
                                      make("b", {{"team", "blue"}, {"tier", "db-main"}}),
                                      make("c", {{"team", "red"}}),
                                      make("d", {{"team", "blue"}, {"sluice.enable", "false"}})},
                                     opts));
    EXPECT_TRUE(t["http"]["services"]["a"]);
    EXPECT_EQ(t["http"]["services"].as_table()->size(), 1u);
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
    expect_warnings(doc, {"container none: no port for service none"}, 1);
}

// A value a known key cannot take, where it makes the server impossible, skips the container.
TEST(labels, bad_values_skip_the_container_with_a_warning_naming_the_label) {
    auto doc = d::build_document({make("bad", {{"sluice.http.services.bad.loadbalancer.server.port", "eighty"}}),
                                  make("weight", {{"sluice.http.services.w.loadbalancer.server.weight", "-1"}}, "172.17.0.5"),
                                  make("enable", {{"sluice.enable", "maybe"}}, "172.17.0.6"),
                                  make("good", {}, "172.17.0.4")},
                                 {});
    auto t = parse(doc);
    EXPECT_EQ(at(t, "http.services.bad"), absent);
    EXPECT_EQ(at(t, "http.services.w"), absent);
    EXPECT_EQ(at(t, "http.services.enable"), absent);
    EXPECT_EQ(urls(t, "good"), (std::vector<std::string>{"http://172.17.0.4:80"}));
    expect_warnings(doc,
                    {"container bad: label sluice.http.services.bad.loadbalancer.server.port=eighty is not a port number",
                     "label sluice.http.services.w.loadbalancer.server.weight=-1 is not a positive number",
                     "label sluice.enable=maybe is not true or false"},
                    3);
}

// Unknown labels are warned about and ignored; the container still serves.
TEST(labels, unknown_labels_are_ignored_and_the_container_serves) {
    auto doc = d::build_document({make("odd", {{"sluice.frontend.rule", "Host:x"},
                                               {"sluice.http.services.odd.loadbalancer.bogus", "1"},
                                               {"sluice.http..x", "1"}})},
                                 {});
    auto t = parse(doc);
    EXPECT_EQ(urls(t, "odd"), (std::vector<std::string>{"http://172.17.0.2:80"}));
    EXPECT_EQ(at(t, "http.routers.odd.rule"), "Host(`odd`)");
    EXPECT_EQ(at(t, "http.services.odd.loadBalancer.bogus"), absent);
    expect_warnings(doc,
                    {"container odd: label sluice.frontend.rule=Host:x ignored",
                     "container odd: label sluice.http.services.odd.loadbalancer.bogus=1 ignored: unknown option",
                     "container odd: label sluice.http..x=1 ignored: a part of its key is empty"},
                    3);
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

// Replicas disagree while a rolling update changes their labels: the container started last
// defines the object (Traefik leaves it out, and the service is down until the update ends),
// with a warning naming what differs; the servers of all of them stay.
TEST(labels, replicas_that_disagree_are_defined_by_the_newest_with_a_warning) {
    auto a = replica("web-1", "172.17.0.2", {{"sluice.http.routers.web.rule", "Host(`a`)"}});
    auto b = replica("web-2", "172.17.0.3", {{"sluice.http.routers.web.rule", "Host(`b`)"}});
    a.started = d::start_order("2026-12-07T07:13:02.5Z");  // restarted after b: the newest
    b.started = d::start_order("2026-12-07T07:13:02.25Z");
    auto doc = d::build_document({b, a}, {});
    auto t = parse(doc);
    EXPECT_EQ(at(t, "http.routers.web.rule"), "Host(`a`)");
    EXPECT_EQ(urls(t, "web-demo"), (std::vector<std::string>{"http://172.17.0.2:80", "http://172.17.0.3:80"}));
    expect_warnings(doc,
                    {"router web is defined differently by its containers (rule is \"Host(`a`)\" on web-1 but "
                     "\"Host(`b`)\" on web-2): the newest, web-1, defines it"},
                    1);
    // Swapping the strategy so: the new replica's strategy serves all of them.
    auto old_one = replica("web-1", "172.17.0.2", {{"sluice.http.services.web-demo.loadbalancer.strategy", "roundrobin"}});
    auto new_one = replica("web-3", "172.17.0.4", {{"sluice.http.services.web-demo.loadbalancer.strategy", "leastconn"}});
    old_one.started = d::start_order("2026-12-07T07:00:00Z");
    new_one.started = d::start_order("2026-12-07T07:10:00.000000001Z");
    t = parse(d::build_document({new_one, old_one}, {}));
    EXPECT_EQ(at(t, "http.services.web-demo.loadBalancer.strategy"), "leastconn");
    EXPECT_EQ(urls(t, "web-demo").size(), 2u);
}

TEST(labels, engine_start_times_order_as_times_whatever_their_fraction) {
    EXPECT_EQ(d::start_order("2026-12-07T07:13:01.12Z"), "2026-12-07T07:13:01.120000000Z");
    EXPECT_EQ(d::start_order("2026-12-07T07:13:01Z"), "2026-12-07T07:13:01.000000000Z");
    EXPECT_LT(d::start_order("2026-12-07T07:13:01.1Z"), d::start_order("2026-12-07T07:13:01.12Z"));
    EXPECT_LT(d::start_order("2026-12-07T07:13:01.999999999Z"), d::start_order("2026-12-07T07:13:02Z"));
    EXPECT_LT(d::start_order("0001-01-01T00:00:00Z"), d::start_order("2026-01-01T00:00:00Z"));  // never started
    EXPECT_EQ(d::start_order(""), "");
}

TEST(labels, weights) {
    auto doc = d::build_document({make("w", {{"sluice.http.services.w.loadbalancer.server.weight", "3"}})}, {});
    EXPECT_EQ(at(parse(doc), "http.services.w.loadBalancer.servers[0].weight"), "3");
}

TEST(labels, normalize) {
    EXPECT_EQ(d::normalize("web_1.x"), "web-1-x");
    EXPECT_EQ(d::normalize("--a__b--"), "a-b");
}

}  // namespace

// A quote or a control character in a name would make toml++ print a document that does not
// parse, taking every route of the provider with it: such a label is ignored, the rest serves.
TEST(labels, names_that_are_not_bare_keys_are_ignored_and_the_document_still_parses) {
    const std::vector<std::string> names{"it's", "a\"b", std::string("ctl\x01", 4), std::string("nul\0x", 5),
                                         "sp ace", "caf\xc3\xa9"};
    for (const auto& name : names) {
        auto doc = d::build_document(
            {make("web", {{"sluice.http.routers." + name + ".rule", "Host(`a`)"},
                          {"sluice.http.routers.ok.rule", "Host(`ok`)"}})},
            {});
        toml::table t;
        ASSERT_NO_THROW(t = parse(doc)) << doc.toml;
        EXPECT_EQ(at(t, "http.routers.ok.rule"), "Host(`ok`)");
        ASSERT_EQ(doc.warnings.size(), 1u) << name;
        EXPECT_NE(doc.warnings[0].find("holds a character other than"), std::string::npos) << doc.warnings[0];
    }
}

// Found by fuzzing: a router whose only option switches itself off (`tls=maybe`, taken as
// false) dereferenced a router table that was never made.
TEST(labels, a_router_left_without_options_gets_the_defaults) {
    for (const char* value : {"false", "maybe"}) {
        auto doc = d::build_document({make("web", {{"sluice.http.routers.app.tls", value}})}, {});
        toml::table t;
        ASSERT_NO_THROW(t = parse(doc)) << doc.toml;
        EXPECT_EQ(at(t, "http.routers.app.rule"), "Host(`web`)") << doc.toml;
        EXPECT_EQ(at(t, "http.routers.app.service"), "web") << doc.toml;
        EXPECT_EQ(at(t, "http.routers.app.tls"), absent) << doc.toml;
    }
}
