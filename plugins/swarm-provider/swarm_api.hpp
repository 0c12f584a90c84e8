// What a swarm manager tells the swarm provider (GET /info, /services, /tasks, /networks and
// /events, read in swarm_api.cpp), and the containers the provider makes of it: one per task
// that serves, or one per service in VIP mode (lbswarm), for the docker provider's label
// grammar and merge (labels.hpp) to build the document from.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "labels.hpp"

namespace sluice::docker::swarm {

// GET /info: whether the daemon is a swarm manager. Throws engine_error for an answer that
// is not an object.
struct node_role {
    std::string local_node_state;  // "active", "inactive", "pending", "error", "locked"
    bool manager = false;          // Swarm.ControlAvailable
};
node_role parse_info(const std::string& body);

struct virtual_ip {
    std::string network_id;
    std::string address;  // without its prefix length
};

struct service {
    std::string id;
    std::string name;  // Spec.Name: "demo_web" for service web of stack demo
    std::map<std::string, std::string> labels;  // Spec.Labels (compose: deploy.labels)
    bool global = false;
    std::string endpoint_mode;  // "vip" (the default) or "dnsrr"
    std::vector<virtual_ip> virtual_ips;
    std::string update_state;   // UpdateStatus.State: "" (none), updating, paused, completed, rollback_*
    std::string updated_at;     // UpdatedAt, start_order()'d
    long running_tasks = -1, desired_tasks = -1;  // ServiceStatus (?status=true), -1 when absent
};
// GET /services?status=true. Throws engine_error for an answer that is not an array.
std::vector<service> parse_services(const std::string& body);

struct attachment {
    std::string network_id, network_name;
    bool ingress = false;
    std::vector<std::string> addresses;  // without their prefix lengths
};

struct task {
    std::string id, service_id, node_id;
    int slot = 0;  // 0 for a global service's tasks
    std::string desired_state;  // "running", "shutdown", "remove", ...
    std::string state;          // Status.State: "new" ... "running", "complete", "failed", ...
    std::string container_id;   // Status.ContainerStatus.ContainerID
    std::string timestamp;      // Status.Timestamp, start_order()'d: when it reached its state
    std::vector<attachment> networks;
};
// GET /tasks. Throws engine_error for an answer that is not an array.
std::vector<task> parse_tasks(const std::string& body);

struct network {
    std::string name;
    bool ingress = false;
};
// GET /networks?filters={"scope":["swarm"]}, by ID. Throws engine_error for an answer that is
// not an array.
std::map<std::string, network> parse_networks(const std::string& body);

// One line of GET /events, as the provider needs it: the type (service, node, network,
// container), the action, and for a container of a task, the task's and service's IDs.
struct event {
    std::string type, action, id;
    std::string task_id, service_id;  // com.docker.swarm.task.id, ...service.id
    std::string signal;               // kill's signal
};
// An empty type: a line that is not an event.
event parse_event(const std::string& line);

// Everything listed, and what local container events said about tasks the manager does not
// know yet (a failing health check, a container being killed).
struct state {
    std::vector<service> services;
    std::vector<task> tasks;  // desired to run; the rest is not listed
    std::map<std::string, network> networks;
    std::set<std::string> withdrawn;  // task IDs out of service until a relist no longer lists them
};

// The containers the document is built from: each task that runs and is desired to run,
// named `<service>.<slot>` (a global service's `<service>.<task ID>`), with the service's
// labels and its addresses on each swarm network but ingress; in VIP mode (the
// `<prefix>.swarm.lbswarm` label, or the deprecated `<prefix>.docker.lbswarm`), one per
// service with its virtual IPs instead. With allowEmptyServices, a service none of whose
// tasks serves still gets one container that is not serving, for its routers (503). What
// cannot be served is said in `warnings`.
std::vector<container> containers_of(const state& s, const options& opts, std::vector<std::string>& warnings);

// No change is under way: no update or rollback running, every service as many running
// tasks as it wants, and no task desired to run that is not running yet.
bool settled(const state& s);

}  // namespace sluice::docker::swarm
