// The swarm provider's reading of a manager's answers and the containers it makes of them.
// Traefik's swarm test tables (TestListTasks, TestSwarmProvider_listServices,
// TestSwarmProvider_parseService_task) are ported below, with what the Engine 20.10 answers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine_link.hpp"
#include "swarm_api.hpp"
#include "test_support.hpp"

namespace sluice::docker::swarm {
namespace {

using test::at;
using test::urls;

// A task as GET /tasks answers, on the network `net` (ID) at `address`.
std::string task_json(const std::string& id, const std::string& service, int slot, const std::string& state,
                      const std::string& address, const std::string& desired = "running",
                      const std::string& net = "n1", const std::string& net_name = "net1", bool ingress = false) {
    std::string attachments = address.empty() ? "null"
                                              : R"([{"Network":{"ID":")" + net + R"(","Spec":{"Name":")" + net_name +
                                                    R"(","Ingress":)" + (ingress ? "true" : "false") +
                                                    R"(}},"Addresses":[")" + address + R"("]}])";
    return R"({"ID":")" + id + R"(","ServiceID":")" + service + R"(","Slot":)" + std::to_string(slot) +
           R"(,"NodeID":"node1","DesiredState":")" + desired + R"(","Status":{"Timestamp":"2026-12-07T10:00:0)" +
           std::to_string(slot % 10) + R"(.5Z","State":")" + state + R"(","ContainerStatus":{"ContainerID":"c-)" + id +
           R"("}},"NetworksAttachments":)" + attachments + "}";
}

std::string array(const std::vector<std::string>& items) {
    std::string out = "[";
    for (const auto& i : items) out += (out.size() > 1 ? "," : "") + i;
    return out + "]";
}

service make_service(std::string id, std::string name, std::map<std::string, std::string> labels = {}) {
    service s;
    s.id = std::move(id);
    s.name = std::move(name);
    s.labels = std::move(labels);
    s.endpoint_mode = "vip";
    return s;
}

std::vector<std::string> names(const std::vector<container>& cs) {
    std::vector<std::string> out;
    for (const auto& c : cs) out.push_back(c.name);
    return out;
}

options swarm_options() {
    options o;
    o.label_prefix = "traefik";
    return o;
}

TEST(swarm_api, info_says_whether_the_daemon_is_a_manager) {
    const auto manager = parse_info(R"({"Swarm":{"LocalNodeState":"active","ControlAvailable":true}})");
    EXPECT_EQ(manager.local_node_state, "active");
    EXPECT_TRUE(manager.manager);
    const auto worker = parse_info(R"({"Swarm":{"LocalNodeState":"active","ControlAvailable":false}})");
    EXPECT_FALSE(worker.manager);
    const auto alone = parse_info(R"({"Swarm":{"LocalNodeState":"inactive","ControlAvailable":false}})");
    EXPECT_EQ(alone.local_node_state, "inactive");
    EXPECT_THROW(parse_info("[]"), engine_error);
}

TEST(swarm_api, services_as_the_manager_lists_them) {
    const auto list = parse_services(R"([
      {"ID":"s1","UpdatedAt":"2026-12-07T10:00:01.25Z",
       "Spec":{"Name":"demo_web","Labels":{"traefik.enable":"true"},"Mode":{"Replicated":{"Replicas":3}},
               "EndpointSpec":{"Mode":"vip"}},
       "Endpoint":{"VirtualIPs":[{"NetworkID":"ing","Addr":"10.0.0.5/24"},{"NetworkID":"n1","Addr":"10.0.1.2/24"}]},
       "UpdateStatus":{"State":"updating"},"ServiceStatus":{"RunningTasks":2,"DesiredTasks":3}},
      {"ID":"s2","Spec":{"Name":"agent","Mode":{"Global":{}},"EndpointSpec":{"Mode":"dnsrr"}}},
      {"ID":"s3","Spec":{"Name":"bare"}}
    ])");
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[0].name, "demo_web");
    EXPECT_EQ(list[0].labels.at("traefik.enable"), "true");
    EXPECT_FALSE(list[0].global);
    ASSERT_EQ(list[0].virtual_ips.size(), 2u);
    EXPECT_EQ(list[0].virtual_ips[1].network_id, "n1");
    EXPECT_EQ(list[0].virtual_ips[1].address, "10.0.1.2");
    EXPECT_EQ(list[0].update_state, "updating");
    EXPECT_EQ(list[0].running_tasks, 2);
    EXPECT_EQ(list[0].desired_tasks, 3);
    EXPECT_EQ(list[0].updated_at, "2026-12-07T10:00:01.250000000Z");
    EXPECT_TRUE(list[1].global);
    EXPECT_EQ(list[1].endpoint_mode, "dnsrr");
    EXPECT_EQ(list[2].endpoint_mode, "vip");  // the Engine's default
    EXPECT_EQ(list[2].running_tasks, -1);
    EXPECT_THROW(parse_services(R"({"message":"This node is not a swarm manager."})"), engine_error);
}

TEST(swarm_api, tasks_and_networks_as_the_manager_lists_them) {
    const auto tasks = parse_tasks(array({task_json("t1", "s1", 2, "running", "10.0.1.7/24"),
                                          task_json("t2", "s1", 3, "pending", "")}));
    ASSERT_EQ(tasks.size(), 2u);
    EXPECT_EQ(tasks[0].slot, 2);
    EXPECT_EQ(tasks[0].container_id, "c-t1");
    ASSERT_EQ(tasks[0].networks.size(), 1u);
    EXPECT_EQ(tasks[0].networks[0].network_name, "net1");
    EXPECT_EQ(tasks[0].networks[0].addresses, std::vector<std::string>{"10.0.1.7"});
    EXPECT_TRUE(tasks[1].networks.empty());
    const auto networks = parse_networks(R"([{"Name":"ingress","Id":"ing","Ingress":true},{"Name":"demo_net","Id":"n1"}])");
    EXPECT_TRUE(networks.at("ing").ingress);
    EXPECT_EQ(networks.at("n1").name, "demo_net");
}

TEST(swarm_api, events_name_the_task_of_a_local_container) {
    const auto e = parse_event(
        R"({"Type":"container","Action":"kill","Actor":{"ID":"c1","Attributes":{"signal":"15",)"
        R"("com.docker.swarm.task.id":"t1","com.docker.swarm.service.id":"s1"}},"scope":"local"})");
    EXPECT_EQ(e.type, "container");
    EXPECT_EQ(e.action, "kill");
    EXPECT_EQ(e.task_id, "t1");
    EXPECT_EQ(e.service_id, "s1");
    EXPECT_EQ(e.signal, "15");
    const auto s = parse_event(R"({"Type":"service","Action":"update","Actor":{"ID":"s1","Attributes":{"name":"web"}}})");
    EXPECT_EQ(s.type, "service");
    EXPECT_EQ(s.id, "s1");
    EXPECT_EQ(parse_event("not json").type, "");
}

// Traefik's TestListTasks: only running tasks serve, named <service>.<slot>; an address with
// its prefix length is read without it.
TEST(swarm_model, only_running_tasks_serve) {
    state s;
    s.networks = {{"1", {"foo", false}}};
    s.services = {make_service("s", "container", {{"traefik.http.services.container.loadbalancer.server.port", "80"}})};
    s.tasks = parse_tasks(array({
        task_json("id1", "s", 1, "running", "127.0.0.1", "running", "1"),
        task_json("id2", "s", 2, "pending", "127.0.0.2", "running", "1"),
        task_json("id3", "s", 3, "", "127.0.0.3", "running", "1"),
        task_json("id4", "s", 4, "running", "127.0.0.4", "running", "1"),
        task_json("id5", "s", 5, "failed", "127.0.0.5", "running", "1"),
        task_json("id6", "s", 6, "running", "127.0.0.6/24", "running", "1"),
    }));
    std::vector<std::string> warnings;
    const auto cs = containers_of(s, swarm_options(), warnings);
    EXPECT_EQ(names(cs), (std::vector<std::string>{"container.1", "container.4", "container.6"}));
    const auto doc = toml::parse(build_document(cs, swarm_options()).toml);
    EXPECT_EQ(urls(doc, "container"),
              (std::vector<std::string>{"http://127.0.0.1:80", "http://127.0.0.4:80", "http://127.0.0.6:80"}));
    EXPECT_EQ(at(doc, "http.routers.container.rule"), "Host(`container`)");
}

// Traefik's TestSwarmProvider_parseService_task: replicated tasks by slot, global by ID.
TEST(swarm_model, replicated_tasks_are_named_by_slot_and_global_ones_by_id) {
    state s;
    s.networks = {{"1", {"foo", false}}};
    s.services = {make_service("r", "container"), make_service("g", "agent")};
    s.services[1].global = true;
    s.tasks = parse_tasks(array({task_json("id1", "r", 1, "running", "10.0.0.1", "running", "1"),
                                 task_json("id2", "r", 2, "running", "10.0.0.2", "running", "1"),
                                 task_json("gid1", "g", 0, "running", "10.0.0.3", "running", "1")}));
    std::vector<std::string> warnings;
    EXPECT_EQ(names(containers_of(s, swarm_options(), warnings)),
              (std::vector<std::string>{"container.1", "container.2", "agent.gid1"}));
}

// Traefik's TestSwarmProvider_listServices: lbswarm serves the virtual IP on a swarm network
// (none without one), a dnsrr service its tasks; a task on no network is left out.
TEST(swarm_model, lbswarm_serves_the_virtual_ip) {
    const std::map<std::string, std::string> lb = {{"traefik.swarm.network", "barnet"}, {"traefik.swarm.LBSwarm", "true"}};
    state s;
    s.services = {make_service("s1", "service1", lb), make_service("s2", "service2", lb)};
    s.services[0].virtual_ips = {{"yk6l", "10.11.12.13"}, {"2", "10.11.12.99"}};
    s.services[1].endpoint_mode = "dnsrr";
    std::vector<std::string> warnings;
    EXPECT_TRUE(containers_of(s, swarm_options(), warnings).empty()) << "no swarm network is known";

    s.networks = {{"yk6l", {"network_name", false}}};
    warnings.clear();
    const auto cs = containers_of(s, swarm_options(), warnings);
    EXPECT_EQ(names(cs), std::vector<std::string>{"service1"});
    EXPECT_EQ(cs.at(0).networks, (std::map<std::string, std::string>{{"network_name", "10.11.12.13"}}));
    test::expect_warnings({"", warnings}, {"service2: lbswarm needs endpoint mode vip"}, 1);

    // Without lbswarm each task serves, on the network the label names.
    s.services[0].labels = s.services[1].labels = {{"traefik.swarm.network", "network_name"},
                                                   {"traefik.http.services.x.loadbalancer.server.port", "8080"}};
    s.tasks = parse_tasks(array({task_json("id1", "s1", 1, "running", "10.0.9.1", "running", "yk6l", "network_name"),
                                 task_json("id2", "s2", 1, "running", "10.0.9.2", "running", "yk6l", "network_name"),
                                 task_json("id3", "s2", 2, "running", "")}));
    warnings.clear();
    EXPECT_EQ(names(containers_of(s, swarm_options(), warnings)),
              (std::vector<std::string>{"service1.1", "service2.1"}));
}

TEST(swarm_model, the_lbswarm_document_reaches_the_virtual_ip) {
    state s;
    s.networks = {{"n1", {"demo_net", false}}, {"ing", {"ingress", true}}};
    s.services = {make_service("s1", "demo_web",
                               {{"traefik.swarm.lbswarm", "true"},
                                {"traefik.http.services.web.loadbalancer.server.port", "8000"}})};
    s.services[0].virtual_ips = {{"ing", "10.0.0.5"}, {"n1", "10.0.1.2"}};
    std::vector<std::string> warnings;
    const auto doc = toml::parse(build_document(containers_of(s, swarm_options(), warnings), swarm_options()).toml);
    EXPECT_EQ(urls(doc, "web"), std::vector<std::string>{"http://10.0.1.2:8000"}) << "never the ingress network";
    EXPECT_EQ(at(doc, "http.routers.demo-web.rule"), "Host(`demo-web`)");
}

TEST(swarm_model, tasks_told_to_stop_and_withdrawn_tasks_do_not_serve) {
    state s;
    s.networks = {{"n1", {"net1", false}}};
    s.services = {make_service("s", "web", {{"traefik.http.services.web.loadbalancer.server.port", "80"}})};
    s.tasks = parse_tasks(array({task_json("a", "s", 1, "running", "10.0.0.1", "running", "n1"),
                                 task_json("b", "s", 2, "running", "10.0.0.2", "shutdown", "n1"),
                                 task_json("c", "s", 3, "running", "10.0.0.3", "running", "n1")}));
    s.withdrawn = {"c"};
    std::vector<std::string> warnings;
    EXPECT_EQ(names(containers_of(s, swarm_options(), warnings)), std::vector<std::string>{"web.1"});
}

TEST(swarm_model, the_address_is_on_the_labelled_network_never_on_ingress) {
    state s;
    s.networks = {{"n1", {"zeta", false}}, {"n2", {"alpha", false}}, {"ing", {"ingress", true}}};
    s.services = {make_service("s", "web", {{"traefik.http.services.web.loadbalancer.server.port", "80"}})};
    auto t = parse_tasks(array({task_json("a", "s", 1, "running", "10.0.0.1", "running", "ing", "ingress", true)}));
    t[0].networks.push_back({"n1", "zeta", false, {"10.0.1.1"}});
    t[0].networks.push_back({"n2", "alpha", false, {"10.0.2.1"}});
    s.tasks = t;
    std::vector<std::string> warnings;
    auto url = [&](const options& o) {
        warnings.clear();
        const auto doc = toml::parse(build_document(containers_of(s, o, warnings), o).toml);
        return urls(doc, "web");
    };
    EXPECT_EQ(url(swarm_options()), std::vector<std::string>{"http://10.0.2.1:80"}) << "the first by name";
    options own = swarm_options();
    own.own_networks = {"zeta"};
    EXPECT_EQ(url(own), std::vector<std::string>{"http://10.0.1.1:80"}) << "a network the proxy is on";
    options named = swarm_options();
    named.network = "zeta";
    EXPECT_EQ(url(named), std::vector<std::string>{"http://10.0.1.1:80"}) << "the provider's network";
    s.services[0].labels["traefik.swarm.network"] = "alpha";
    EXPECT_EQ(url(named), std::vector<std::string>{"http://10.0.2.1:80"}) << "the label over the option";
    s.services[0].labels.erase("traefik.swarm.network");
    s.services[0].labels["traefik.docker.network"] = "alpha";
    EXPECT_EQ(url(named), std::vector<std::string>{"http://10.0.2.1:80"}) << "the deprecated label still read";
    test::expect_warnings({"", warnings}, {"traefik.docker.* are deprecated"}, 1);
    s.services[0].labels["traefik.swarm.network"] = "zeta";
    EXPECT_TRUE(url(named).empty()) << "both spellings: skipped, as Traefik does";
    test::expect_warnings({"", warnings}, {"both traefik.swarm.* and traefik.docker.* labels are set"}, 1);
    s.services[0].labels.erase("traefik.docker.network");
    s.services[0].labels["traefik.swarm.network"] = "ingress";
    EXPECT_TRUE(url(named).empty()) << "ingress is not a network to reach a task on";
    test::expect_warnings({"", warnings}, {"task web.1 is not on network ingress"}, 1);
    // With allowEmptyServices the service stays, with no server (503, not 404).
    named.allow_empty_services = true;
    warnings.clear();
    const auto doc = toml::parse(build_document(containers_of(s, named, warnings), named).toml);
    EXPECT_EQ(at(doc, "http.services.web.loadBalancer.servers"), "[0]");
}

TEST(swarm_model, allow_empty_services_keeps_a_service_without_a_running_task) {
    state s;
    s.networks = {{"n1", {"net1", false}}};
    s.services = {make_service("s", "web", {{"traefik.http.services.web.loadbalancer.server.port", "80"}})};
    s.tasks = parse_tasks(array({task_json("a", "s", 1, "starting", "10.0.0.1", "running", "n1")}));
    std::vector<std::string> warnings;
    options o = swarm_options();
    EXPECT_EQ(at(toml::parse(build_document(containers_of(s, o, warnings), o).toml), "http.routers"), "(absent)")
        << "no router: 404";
    o.allow_empty_services = true;
    const auto doc = toml::parse(build_document(containers_of(s, o, warnings), o).toml);
    EXPECT_EQ(at(doc, "http.routers.web.service"), "web");
    EXPECT_EQ(at(doc, "http.services.web.loadBalancer.servers"), "[0]") << "no server: 503";
}

TEST(swarm_model, constraints_and_exposed_by_default_apply_to_service_labels) {
    state s;
    s.networks = {{"n1", {"net1", false}}};
    s.services = {make_service("s1", "public", {{"traefik.enable", "true"}, {"tier", "front"}}),
                  make_service("s2", "hidden", {{"tier", "front"}}),
                  make_service("s3", "other", {{"traefik.enable", "true"}, {"tier", "back"}})};
    for (auto& svc : s.services) svc.labels["traefik.http.services." + svc.name + ".loadbalancer.server.port"] = "80";
    s.tasks = parse_tasks(array({task_json("a", "s1", 1, "running", "10.0.0.1", "running", "n1"),
                                 task_json("b", "s2", 1, "running", "10.0.0.2", "running", "n1"),
                                 task_json("c", "s3", 1, "running", "10.0.0.3", "running", "n1")}));
    options o = swarm_options();
    o.exposed_by_default = false;
    o.only = constraints::parse("Label(`tier`, `front`)");
    std::vector<std::string> warnings;
    const auto doc = toml::parse(build_document(containers_of(s, o, warnings), o).toml);
    EXPECT_EQ(at(doc, "http.routers.public.rule"), "Host(`public`)");
    EXPECT_EQ(at(doc, "http.routers.hidden"), "(absent)");
    EXPECT_EQ(at(doc, "http.routers.other"), "(absent)");
}

TEST(swarm_model, a_task_without_a_port_label_is_not_served) {
    state s;
    s.networks = {{"n1", {"net1", false}}};
    s.services = {make_service("s", "web")};
    s.tasks = parse_tasks(array({task_json("a", "s", 1, "running", "10.0.0.1", "running", "n1")}));
    std::vector<std::string> warnings;
    const auto doc = build_document(containers_of(s, swarm_options(), warnings), swarm_options());
    test::expect_warnings(doc, {"web.1: no port for service web"}, 1);
}

TEST(swarm_model, settled_when_no_change_is_under_way) {
    state s;
    s.services = {make_service("s", "web")};
    s.services[0].running_tasks = 2;
    s.services[0].desired_tasks = 2;
    s.tasks = parse_tasks(array({task_json("a", "s", 1, "running", "10.0.0.1"), task_json("b", "s", 2, "running", "10.0.0.2")}));
    EXPECT_TRUE(settled(s));
    s.services[0].update_state = "updating";
    EXPECT_FALSE(settled(s)) << "a rolling update";
    s.services[0].update_state = "completed";
    s.services[0].desired_tasks = 5;
    EXPECT_FALSE(settled(s)) << "scaling up";
    s.services[0].desired_tasks = 2;
    s.tasks.push_back(parse_tasks(array({task_json("c", "s", 3, "starting", "")}))[0]);
    EXPECT_FALSE(settled(s)) << "a task on its way";
}

}  // namespace
}  // namespace sluice::docker::swarm
