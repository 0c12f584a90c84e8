// A swarm manager's JSON answers read, and the containers made of them (swarm_api.hpp).
#include "swarm_api.hpp"

#include <algorithm>
#include <optional>

#include "engine_json.hpp"
#include "engine_link.hpp"
#include "sluice/sdk/text.hpp"

namespace sluice::docker::swarm {

namespace {

long number_at(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v && v->is_int64()) return static_cast<long>(v->as_int64());
    if (v && v->is_uint64()) return static_cast<long>(v->as_uint64());
    return -1;
}

// "10.0.1.3/24" -> "10.0.1.3"
std::string without_prefix_length(std::string address) {
    if (const auto slash = address.find('/'); slash != std::string::npos) address.erase(slash);
    return address;
}

json::array parsed_array(const std::string& body, const char* what) {
    json::value v = json::parse(body);
    if (!v.is_array()) throw engine_error(std::string("listing ") + what + " did not answer with an array");
    return std::move(v.as_array());
}

// Go's strconv.ParseBool, as Traefik reads a boolean label.
std::optional<bool> go_bool(const std::string& v) {
    if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") return true;
    if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False") return false;
    return std::nullopt;
}

}  // namespace

node_role parse_info(const std::string& body) {
    const json::value v = json::parse(body);
    if (!v.is_object()) throw engine_error("GET /info did not answer with an object");
    node_role role;
    if (const auto* swarm = object_at(v.as_object(), "Swarm")) {
        role.local_node_state = json_string(swarm->if_contains("LocalNodeState"));
        const auto* control = swarm->if_contains("ControlAvailable");
        role.manager = control && control->is_bool() && control->as_bool();
    }
    return role;
}

std::vector<service> parse_services(const std::string& body) {
    std::vector<service> out;
    for (const auto& item : parsed_array(body, "services")) {
        if (!item.is_object()) continue;
        const auto& o = item.as_object();
        service s;
        s.id = json_string(o.if_contains("ID"));
        s.updated_at = start_order(json_string(o.if_contains("UpdatedAt")));
        if (const auto* spec = object_at(o, "Spec")) {
            s.name = json_string(spec->if_contains("Name"));
            if (const auto* labels = object_at(*spec, "Labels"))
                for (const auto& [k, v] : *labels) s.labels[std::string(k)] = json_string(&v);
            if (const auto* mode = object_at(*spec, "Mode")) s.global = mode->contains("Global");
            if (const auto* endpoint = object_at(*spec, "EndpointSpec"))
                s.endpoint_mode = json_string(endpoint->if_contains("Mode"));
        }
        if (s.endpoint_mode.empty()) s.endpoint_mode = "vip";
        if (const auto* endpoint = object_at(o, "Endpoint"))
            if (const auto* vips = array_at(*endpoint, "VirtualIPs"))
                for (const auto& vip : *vips)
                    if (vip.is_object())
                        s.virtual_ips.push_back({json_string(vip.as_object().if_contains("NetworkID")),
                                                 without_prefix_length(json_string(vip.as_object().if_contains("Addr")))});
        if (const auto* update = object_at(o, "UpdateStatus")) s.update_state = json_string(update->if_contains("State"));
        if (const auto* status = object_at(o, "ServiceStatus")) {
            s.running_tasks = number_at(*status, "RunningTasks");
            s.desired_tasks = number_at(*status, "DesiredTasks");
        }
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<task> parse_tasks(const std::string& body) {
    std::vector<task> out;
    for (const auto& item : parsed_array(body, "tasks")) {
        if (!item.is_object()) continue;
        const auto& o = item.as_object();
        task t;
        t.id = json_string(o.if_contains("ID"));
        t.service_id = json_string(o.if_contains("ServiceID"));
        t.node_id = json_string(o.if_contains("NodeID"));
        t.slot = static_cast<int>(std::max(0L, number_at(o, "Slot")));
        t.desired_state = json_string(o.if_contains("DesiredState"));
        if (const auto* status = object_at(o, "Status")) {
            t.state = json_string(status->if_contains("State"));
            t.timestamp = start_order(json_string(status->if_contains("Timestamp")));
            if (const auto* c = object_at(*status, "ContainerStatus"))
                t.container_id = json_string(c->if_contains("ContainerID"));
        }
        if (const auto* attachments = array_at(o, "NetworksAttachments"))
            for (const auto& a : *attachments) {
                if (!a.is_object()) continue;
                attachment at;
                if (const auto* net = object_at(a.as_object(), "Network")) {
                    at.network_id = json_string(net->if_contains("ID"));
                    if (const auto* spec = object_at(*net, "Spec")) {
                        at.network_name = json_string(spec->if_contains("Name"));
                        const auto* ingress = spec->if_contains("Ingress");
                        at.ingress = ingress && ingress->is_bool() && ingress->as_bool();
                    }
                }
                if (const auto* addresses = array_at(a.as_object(), "Addresses"))
                    for (const auto& address : *addresses)
                        if (auto ip = without_prefix_length(json_string(&address)); !ip.empty())
                            at.addresses.push_back(std::move(ip));
                t.networks.push_back(std::move(at));
            }
        out.push_back(std::move(t));
    }
    return out;
}

std::map<std::string, network> parse_networks(const std::string& body) {
    std::map<std::string, network> out;
    for (const auto& item : parsed_array(body, "networks")) {
        if (!item.is_object()) continue;
        const auto& o = item.as_object();
        const auto* ingress = o.if_contains("Ingress");
        out[json_string(o.if_contains("Id"))] = {json_string(o.if_contains("Name")),
                                                 ingress && ingress->is_bool() && ingress->as_bool()};
    }
    return out;
}

event parse_event(const std::string& line) {
    event e;
    json::value v;
    try {
        v = json::parse(line);
    } catch (...) {
        return e;
    }
    if (!v.is_object()) return e;
    const auto& o = v.as_object();
    e.type = json_string(o.if_contains("Type"));
    e.action = json_string(o.if_contains("Action"));
    if (const auto* actor = object_at(o, "Actor")) {
        e.id = json_string(actor->if_contains("ID"));
        if (const auto* attributes = object_at(*actor, "Attributes")) {
            e.task_id = json_string(attributes->if_contains("com.docker.swarm.task.id"));
            e.service_id = json_string(attributes->if_contains("com.docker.swarm.service.id"));
            e.signal = json_string(attributes->if_contains("signal"));
        }
    }
    return e;
}

std::vector<container> containers_of(const state& s, const options& opts, std::vector<std::string>& warnings) {
    std::map<std::string, std::vector<const task*>> tasks_of;
    for (const auto& t : s.tasks) tasks_of[t.service_id].push_back(&t);
    const std::string prefix = sdk::to_lower(opts.label_prefix) + ".";
    std::vector<container> out;
    for (const auto& svc : s.services) {
        // Where to reach it, and how: swarm.* labels, or their deprecated docker.* spelling.
        const auto swarm_network = label_value(svc.labels, prefix + "swarm.network");
        const auto swarm_lbswarm = label_value(svc.labels, prefix + "swarm.lbswarm");
        const auto docker_network = label_value(svc.labels, prefix + "docker.network");
        const auto docker_lbswarm = label_value(svc.labels, prefix + "docker.lbswarm");
        const bool swarm_labels = swarm_network || swarm_lbswarm, docker_labels = docker_network || docker_lbswarm;
        if (swarm_labels && docker_labels) {
            warnings.push_back("service " + svc.name + ": both " + prefix + "swarm.* and " + prefix +
                               "docker.* labels are set; service skipped (use " + prefix + "swarm.* only)");
            continue;
        }
        if (docker_labels)
            warnings.push_back("service " + svc.name + ": labels " + prefix + "docker.* are deprecated for swarm services; use " +
                               prefix + "swarm.*");
        const std::string network = swarm_network.value_or(docker_network.value_or(opts.network));
        bool lbswarm = false;
        if (const auto& v = swarm_lbswarm ? swarm_lbswarm : docker_lbswarm) {
            const auto on = go_bool(*v);
            if (!on) {
                warnings.push_back("service " + svc.name + ": label " + prefix + (swarm_lbswarm ? "swarm" : "docker") +
                                   ".lbswarm=" + *v + " is not true or false; service skipped");
                continue;
            }
            lbswarm = *on;
        }
        if (lbswarm && svc.endpoint_mode == "dnsrr") {
            warnings.push_back("service " + svc.name + ": lbswarm needs endpoint mode vip, not dnsrr; its tasks are served");
            lbswarm = false;
        }

        container base;
        base.labels = svc.labels;
        base.state = "running";
        base.service_name = svc.name;
        base.network = network;
        base.started = svc.updated_at;
        if (lbswarm) {
            container c = base;
            c.id = svc.id;
            c.name = svc.name;
            for (const auto& vip : svc.virtual_ips) {
                const auto net = s.networks.find(vip.network_id);
                if (net == s.networks.end() || net->second.ingress || vip.address.empty()) continue;
                c.networks[net->second.name] = vip.address;
            }
            if (c.networks.empty()) {
                warnings.push_back("service " + svc.name + ": lbswarm but no virtual IP on a swarm network; service skipped");
                continue;
            }
            out.push_back(std::move(c));
            continue;
        }
        bool serving = false;
        for (const task* t : tasks_of[svc.id]) {
            if (t->desired_state != "running" || t->state != "running" || s.withdrawn.count(t->id)) continue;
            container c = base;
            c.id = t->id;
            c.name = svc.name + "." + (svc.global ? t->id : std::to_string(t->slot));
            c.started = t->timestamp;
            for (const auto& a : t->networks) {
                const auto net = s.networks.find(a.network_id);
                const bool ingress = a.ingress || (net != s.networks.end() && net->second.ingress);
                const std::string& name = net != s.networks.end() ? net->second.name : a.network_name;
                if (!ingress && !name.empty() && !a.addresses.empty()) c.networks[name] = a.addresses.front();
            }
            if (c.networks.empty()) continue;  // on no network the proxy can reach it by
            if (!network.empty() && !c.networks.count(network)) {
                warnings.push_back("service " + svc.name + ": task " + c.name + " is not on network " + network +
                                   " (the swarm network named by its labels or the network option); not served");
                continue;
            }
            serving = true;
            out.push_back(std::move(c));
        }
        if (!serving && opts.allow_empty_services) {
            container c = base;  // its routers and services, with no server (503)
            c.id = svc.id;
            c.name = svc.name;
            c.stopping = true;
            out.push_back(std::move(c));
        }
    }
    return out;
}

bool settled(const state& s) {
    for (const auto& svc : s.services) {
        if (svc.update_state == "updating" || svc.update_state == "rollback_started") return false;
        if (svc.running_tasks >= 0 && svc.running_tasks != svc.desired_tasks) return false;
    }
    return std::all_of(s.tasks.begin(), s.tasks.end(),
                       [](const task& t) { return t.desired_state != "running" || t.state == "running"; });
}

}  // namespace sluice::docker::swarm
