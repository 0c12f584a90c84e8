// Cases ported from Traefik's own tables (pkg/provider/docker/config_test.go and
// pkg/config/label/label_test.go), restricted to what Sluice serves: HTTP routers, services
// and middlewares. Where Sluice deliberately differs, the case says so.
#include <optional>

#include "test_support.hpp"

namespace d = sluice::docker;
using namespace sluice::docker::test;

namespace {

constexpr auto traefik_test_rule = "Host(`{{ normalize .Name }}.traefik.wtf`)";
constexpr auto absent = "(absent)";

struct build_case {
    std::string name;
    std::vector<d::container> containers;
    std::map<std::string, std::string> expect;  // dotted path -> what is there (see `at`)
    std::vector<std::string> warnings = {};     // fragments, each in some warning
    std::size_t warning_count = 0;
    std::optional<std::string> default_rule = std::nullopt;
};

d::container test_container(std::map<std::string, std::string> labels, std::string ip = "127.0.0.1") {
    return make("Test", std::move(labels), std::move(ip));
}

std::vector<build_case> cases() {
    return {
        // --- TestDynConfBuilder_DefaultRule
        {"default rule with no variable", {test_container({})},
         {{"http.routers.Test.rule", "Host(`foo.bar`)"}, {"http.routers.Test.service", "Test"},
          {"http.services.Test.loadBalancer.servers[0].url", "http://127.0.0.1:80"}},
         {}, 0, "Host(`foo.bar`)"},
        {"default rule with service name", {test_container({})},
         {{"http.routers.Test.rule", "Host(`Test.foo.bar`)"}}, {}, 0, "Host(`{{ .Name }}.foo.bar`)"},
        // Sluice warns about traefik.domain (a Traefik v1 label) but still serves, and the
        // template still sees it.
        {"default rule with label", {test_container({{"traefik.domain", "foo.bar"}})},
         {{"http.routers.Test.rule", "Host(\"Test.foo.bar\")"}}, {"container Test: label traefik.domain=foo.bar ignored"},
         1, R"(Host("{{ .Name }}.{{ index .Labels "traefik.domain" }}"))"},
        {"invalid rule: no router, the service stays", {test_container({})},
         {{"http.routers", absent}, {"http.services.Test.loadBalancer.servers[0].url", "http://127.0.0.1:80"}},
         {"router Test left out: default rule Host(\"{{ .Toto }}\"): unknown field .Toto"}, 1, R"(Host("{{ .Toto }}"))"},
        {"undefined rule: no router, the service stays", {test_container({})},
         {{"http.routers", absent}, {"http.services.Test.loadBalancer.servers[0].url", "http://127.0.0.1:80"}},
         {"router Test left out: the default rule is empty"}, 1, ""},
        {"default template rule", {test_container({})}, {{"http.routers.Test.rule", "Host(`Test`)"}}, {}, 0,
         "Host(`{{ normalize .Name }}`)"},
        {"piped functions and the container name", {make("my_app.1", {})},
         {{"http.routers.my-app-1.rule", "Host(`MY-APP-1.my_app.1`)"}}, {}, 0,
         "Host(`{{ .Name | upper }}.{{ .ContainerName }}`)"},

        // --- TestDynConfBuilder_build: default names
        {"one container no label", {test_container({})},
         {{"http.routers.Test.rule", "Host(`Test.traefik.wtf`)"}, {"http.routers.Test.service", "Test"},
          {"http.services.Test.loadBalancer.servers[0].url", "http://127.0.0.1:80"}}},
        {"two containers no label",
         {make("Test", {}, "127.0.0.1"), make("Test2", {}, "127.0.0.2")},
         {{"http.routers.Test.service", "Test"}, {"http.routers.Test2.rule", "Host(`Test2.traefik.wtf`)"},
          {"http.services.Test2.loadBalancer.servers[0].url", "http://127.0.0.2:80"}}},
        {"compose service: <service>-<project>, normalised",
         {make("proj-my_web-1", {{"com.docker.compose.project", "proj"}, {"com.docker.compose.service", "my_web"}})},
         {{"http.routers.my-web-proj.rule", "Host(`my-web-proj.traefik.wtf`)"},
          {"http.services.my-web-proj.loadBalancer.servers[0].url", "http://172.17.0.2:80"}}},
        {"one container with label (not on server): the router is named after the container",
         {test_container({{"traefik.http.services.Service1.loadbalancer.passhostheader", "true"}})},
         {{"http.routers.Test.service", "Service1"}, {"http.routers.Test.rule", "Host(`Test.traefik.wtf`)"},
          {"http.routers.Service1", absent}, {"http.services.Test", absent},
          {"http.services.Service1.loadBalancer.passHostHeader", "true"},
          {"http.services.Service1.loadBalancer.servers[0].url", "http://127.0.0.1:80"}}},
        {"one container with labels",
         {test_container({{"traefik.http.services.Service1.loadbalancer.passhostheader", "true"},
                          {"traefik.http.routers.Router1.rule", "Host(`foo.com`)"},
                          {"traefik.http.routers.Router1.service", "Service1"}})},
         {{"http.routers.Router1.rule", "Host(`foo.com`)"}, {"http.routers.Router1.service", "Service1"},
          {"http.routers.Test", absent}, {"http.services.Service1.loadBalancer.servers[0].url", "http://127.0.0.1:80"}}},
        {"one container with rule label",
         {test_container({{"traefik.http.routers.Router1.rule", "Host(`foo.com`)"}})},
         {{"http.routers.Router1.service", "Test"}, {"http.services.Test.loadBalancer.servers", "[1]"}}},
        {"one container with rule label and one service",
         {test_container({{"traefik.http.routers.Router1.rule", "Host(`foo.com`)"},
                          {"traefik.http.services.Service1.loadbalancer.passhostheader", "true"}})},
         {{"http.routers.Router1.service", "Service1"}, {"http.services.Test", absent}}},
        {"one container with rule label and two services: the router cannot pick one",
         {test_container({{"traefik.http.routers.Router1.rule", "Host(`foo.com`)"},
                          {"traefik.http.services.Service1.loadbalancer.passhostheader", "true"},
                          {"traefik.http.services.Service2.loadbalancer.passhostheader", "true"}})},
         {{"http.routers", absent}, {"http.services.Service1.loadBalancer.servers", "[1]"},
          {"http.services.Service2.loadBalancer.servers", "[1]"}},
         {"router Router1 left out: it names no service and the container has several (Service1, Service2)"}, 1},
        {"one router, one specified but undefined service -> specified one is assigned, but automatic is created",
         {test_container({{"traefik.http.routers.Router1.rule", "Host(`foo.com`)"},
                          {"traefik.http.routers.Router1.service", "Service1"}})},
         {{"http.routers.Router1.service", "Service1"}, {"http.services.Service1", absent},
          {"http.services.Test.loadBalancer.servers[0].url", "http://127.0.0.1:80"}}},
        {"a labelled router without a rule gets the default rule",
         {test_container({{"traefik.http.routers.Router1.entrypoints", "web"}})},
         {{"http.routers.Router1.rule", "Host(`Test.traefik.wtf`)"}, {"http.routers.Router1.entryPoints", "web"}}},

        // --- replicas: merged, or, where they disagree, defined by the newest (Traefik leaves
        // the object out: a rolling update that changes labels would take it down). Started
        // at the same time here, the last by name is the newest.
        {"two containers with same service name and different passhostheader",
         {make("Test", {{"traefik.http.services.Service1.loadbalancer.passhostheader", "true"}}, "127.0.0.1"),
          make("Test2", {{"traefik.http.services.Service1.loadbalancer.passhostheader", "false"}}, "127.0.0.2")},
         {{"http.services.Service1.loadBalancer.passHostHeader", "false"}, {"http.routers.Test.service", "Service1"},
          {"http.services.Service1.loadBalancer.servers", "[2]"}},
         {"service Service1 is defined differently by its containers (loadBalancer.passHostHeader is \"true\" on "
          "Test but \"false\" on Test2): the newest, Test2, defines it"},
         1},
        {"three containers with same service name and different passhostheader",
         {make("Test", {{"traefik.http.services.Service1.loadbalancer.passhostheader", "false"}}, "127.0.0.1"),
          make("Test2", {{"traefik.http.services.Service1.loadbalancer.passhostheader", "true"}}, "127.0.0.2"),
          make("Test3", {{"traefik.http.services.Service1.loadbalancer.passhostheader", "false"}}, "127.0.0.3")},
         {{"http.services.Service1.loadBalancer.passHostHeader", "false"}},
         {"loadBalancer.passHostHeader is \"false\" on Test but \"true\" on Test2", "the newest, Test3, defines it"}, 1},
        {"two containers with same service name and same LB methods",
         {make("Test", {{"traefik.http.services.Service1.loadbalancer.strategy", "roundrobin"}}, "127.0.0.1"),
          make("Test2", {{"traefik.http.services.Service1.loadbalancer.strategy", "roundrobin"}}, "127.0.0.2")},
         {{"http.services.Service1.loadBalancer.strategy", "roundrobin"},
          {"http.services.Service1.loadBalancer.servers[0].url", "http://127.0.0.1:80"},
          {"http.services.Service1.loadBalancer.servers[1].url", "http://127.0.0.2:80"}}},
        {"two containers with two identical middlewares",
         {make("Test", {{"traefik.http.middlewares.Middleware1.inflightreq.amount", "42"}}, "127.0.0.1"),
          make("Test2", {{"traefik.http.middlewares.Middleware1.inflightreq.amount", "42"}}, "127.0.0.2")},
         {{"http.middlewares.Middleware1.inflightreq.amount", "42"}}},
        {"two containers with two different middlewares with same name",
         {make("Test", {{"traefik.http.middlewares.Middleware1.inflightreq.amount", "42"}}, "127.0.0.1"),
          make("Test2", {{"traefik.http.middlewares.Middleware1.inflightreq.amount", "41"}}, "127.0.0.2")},
         {{"http.middlewares.Middleware1.inflightreq.amount", "41"}, {"http.routers.Test.rule", "Host(`Test.traefik.wtf`)"}},
         {"middleware Middleware1 is defined differently by its containers (inflightreq.amount is \"42\" on Test but "
          "\"41\" on Test2): the newest, Test2, defines it"},
         1},
        {"two containers with two different routers with same name",
         {replica("demo-web-1", "127.0.0.1", {{"traefik.http.routers.Router1.rule", "Host(`foo.com`)"}}),
          replica("demo-web-2", "127.0.0.2", {{"traefik.http.routers.Router1.rule", "Host(`bar.com`)"}})},
         {{"http.routers.Router1.rule", "Host(`bar.com`)"},
          {"http.services.web-demo.loadBalancer.servers[1].url", "http://127.0.0.2:80"}},
         {"router Router1 is defined differently by its containers (rule is \"Host(`foo.com`)\" on demo-web-1 but "
          "\"Host(`bar.com`)\" on demo-web-2): the newest, demo-web-2, defines it"},
         1},
        {"two containers with two identical routers: one router, servers merged",
         {replica("demo-web-1", "127.0.0.1", {{"traefik.http.routers.Router1.rule", "Host(`foo.com`)"}}),
          replica("demo-web-2", "127.0.0.2", {{"traefik.http.routers.Router1.rule", "Host(`foo.com`)"}})},
         {{"http.routers.Router1.service", "web-demo"},
          {"http.services.web-demo.loadBalancer.servers[1].url", "http://127.0.0.2:80"}}},
        {"an option one replica sets and another does not is a disagreement",
         {replica("demo-web-1", "127.0.0.1", {{"traefik.http.routers.web-demo.priority", "5"}}),
          replica("demo-web-2", "127.0.0.2", {})},
         {{"http.routers.web-demo.priority", absent}, {"http.routers.web-demo.service", "web-demo"},
          {"http.services.web-demo.loadBalancer.servers", "[2]"}},
         {"router web-demo is defined differently by its containers (priority is \"5\" on demo-web-1 but not set on "
          "demo-web-2): the newest, demo-web-2, defines it"}, 1},
        {"servers with different weights are no disagreement",
         {replica("demo-web-1", "127.0.0.1", {{"traefik.http.services.web-demo.loadbalancer.server.weight", "1"}}),
          replica("demo-web-2", "127.0.0.2", {{"traefik.http.services.web-demo.loadbalancer.server.weight", "3"}})},
         {{"http.services.web-demo.loadBalancer.servers[1].weight", "3"}}},

        // --- unknown labels: warned about, ignored, the container still serves
        {"one container with bad label", {test_container({{"traefik.wrong.label", "42"}})},
         {{"http.routers.Test.rule", "Host(`Test.traefik.wtf`)"},
          {"http.services.Test.loadBalancer.servers[0].url", "http://127.0.0.1:80"}},
         {"container Test: label traefik.wrong.label=42 ignored: \"wrong\" is not a Traefik v3 label"}, 1},
        {"Traefik v1 labels", {test_container({{"traefik.frontend.rule", "Host:a.com"}, {"traefik.port", "80"}})},
         {{"http.routers.Test.rule", "Host(`Test.traefik.wtf`)"}},
         {"label traefik.frontend.rule=Host:a.com ignored", "label traefik.port=80 ignored"}, 2},
        {"unknown options of a service, a server and a router",
         {test_container({{"traefik.http.services.s.loadbalancer.serverstransport", "x"},
                          {"traefik.http.services.s.loadbalancer.server.preservepath", "true"},
                          {"traefik.http.services.s.loadbalancer.server.port", "8080"},
                          {"traefik.http.services.s.weighted.services", "a"},
                          {"traefik.http.routers.r.observability.accesslogs", "false"},
                          {"traefik.http.routers.r.rule", "Path(`/`)"},
                          {"traefik.http.serverstransports.t.insecureskipverify", "true"}})},
         {{"http.services.s.loadBalancer.servers[0].url", "http://127.0.0.1:8080"},
          {"http.services.s.loadBalancer.serversTransport", absent}, {"http.routers.r.rule", "Path(`/`)"},
          {"http.routers.r.service", "s"}, {"http.routers.r.observability", absent}},
         {"label traefik.http.services.s.loadbalancer.serverstransport=x ignored: unknown option \"serverstransport\" of "
          "loadBalancer",
          "label traefik.http.services.s.loadbalancer.server.preservepath=true ignored",
          "label traefik.http.services.s.weighted.services=a ignored",
          "label traefik.http.routers.r.observability.accesslogs=false ignored",
          "label traefik.http.serverstransports.t.insecureskipverify=true ignored"},
         5},
        {"tcp labels only: no HTTP defaults", {test_container({{"traefik.tcp.routers.r.rule", "HostSNI(`*`)"}})},
         {{"http", "{}"}}, {"label traefik.tcp.routers.r.rule=HostSNI(`*`) ignored: TCP and UDP"}, 1},

        // --- ports and url
        {"one container with label port",
         {test_container({{"traefik.http.services.Service1.LoadBalancer.server.scheme", "h2c"},
                          {"traefik.http.services.Service1.LoadBalancer.server.port", "8080"}})},
         {{"http.services.Service1.loadBalancer.servers[0].url", "h2c://127.0.0.1:8080"},
          {"http.routers.Test.service", "Service1"}}},
        {"one container with label port on two services",
         {test_container({{"traefik.http.services.Service1.LoadBalancer.server.port", ""},
                          {"traefik.http.services.Service2.LoadBalancer.server.port", "8080"}})},
         {{"http.routers", absent}, {"http.services.Service1.loadBalancer.servers[0].url", "http://127.0.0.1:80"},
          {"http.services.Service2.loadBalancer.servers[0].url", "http://127.0.0.1:8080"}},
         {"no default router, the container has several services (Service1, Service2)"}, 1},
        {"one container with label url",
         {test_container({{"traefik.http.services.Service1.LoadBalancer.server.url", "http://1.2.3.4:5678"}})},
         {{"http.services.Service1.loadBalancer.servers[0].url", "http://1.2.3.4:5678"},
          {"http.routers.Test.service", "Service1"}}},
        {"label url needs no address of the container",
         {make("Test", {{"traefik.http.services.Service1.LoadBalancer.server.url", "http://1.2.3.4:5678"}}, "", {})},
         {{"http.services.Service1.loadBalancer.servers[0].url", "http://1.2.3.4:5678"}}},
        {"one container with label url and port",
         {test_container({{"traefik.http.services.Service1.LoadBalancer.server.url", "http://1.2.3.4:5678"},
                          {"traefik.http.services.Service1.LoadBalancer.server.port", "1234"}})},
         {{"http", "{}"}},
         {"label traefik.http.services.Service1.LoadBalancer.server.url=http://1.2.3.4:5678 cannot be combined with "
          "traefik.http.services.Service1.LoadBalancer.server.port=1234; container skipped"},
         1},
        {"one container with label url and scheme",
         {test_container({{"traefik.http.services.Service1.LoadBalancer.server.url", "http://1.2.3.4:5678"},
                          {"traefik.http.services.Service1.LoadBalancer.server.scheme", "https"}})},
         {{"http", "{}"}}, {"cannot be combined with"}, 1},
        {"one container without port", {make("Test", {}, "127.0.0.1", {})}, {{"http", "{}"}},
         {"container Test: no port for service Test"}, 1},
        {"one container without port with middleware",
         {make("Test", {{"traefik.http.middlewares.Middleware1.inflightreq.amount", "42"}}, "127.0.0.1", {})},
         {{"http", "{}"}}, {"no port for service Test"}, 1},
        {"one container with traefik.enable false", {test_container({{"traefik.enable", "false"}})}, {{"http", "{}"}}},
    };
}

void PrintTo(const build_case& c, std::ostream* os) { *os << c.name; }

class traefik_build : public ::testing::TestWithParam<build_case> {};

TEST_P(traefik_build, gives_what_traefik_gives) {
    const build_case& c = GetParam();
    d::options opts;
    opts.label_prefix = "traefik";
    opts.default_rule = c.default_rule.value_or(traefik_test_rule);
    const auto doc = d::build_document(c.containers, opts);
    const auto t = parse(doc);
    for (const auto& [path, want] : c.expect) EXPECT_EQ(at(t, path), want) << path << " in\n" << doc.toml;
    expect_warnings(doc, c.warnings, c.warning_count);
}

INSTANTIATE_TEST_SUITE_P(config_test, traefik_build, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<build_case>& info) {
                             std::string n;
                             for (char ch : info.param.name) n += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                             return n;
                         });

}  // namespace
