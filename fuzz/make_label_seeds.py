#!/usr/bin/env python3
"""Writes fuzz/corpus/labels/: readable container descriptions encoded in the byte layout
fuzz_labels.cpp reads through libFuzzer's FuzzedDataProvider (strings from the front,
integers from the back). Keep the two in step when either changes."""
import pathlib

WORDS = ["http", "routers", "services", "middlewares", "rule", "service", "middlewares", "priority",
         "entrypoints", "loadbalancer", "loadBalancer", "server", "port", "scheme", "weight", "sticky", "cookie",
         "name", "secure", "httpOnly", "healthcheck", "path", "interval", "stripprefix", "prefixes", "enable",
         "docker", "network", "tls", "passHostHeader", "web", "api", "0", "1", "a.b", ""]
PREFIXES = ["Sluice", "traefik", "com.docker.compose"]
STATES = ["running", "running", "running", "created", "paused", "restarting", "exited", "dead"]
HEALTH = ["", "", "starting", "healthy", "unhealthy"]
MODES = ["bridge", "host", "front", "default"]
NETS = ["bridge", "front", "back"]
IPS = ["172.17.0.2", "10.0.0.5", "", "fd00::5", "::1"]
OPT_NETS = ["", "", "front", "back", "bridge"]


class Encoder:
    def __init__(self):
        self.front = bytearray()
        self.back = []  # in the order they are consumed (from the end)

    def int_range(self, lo, hi, value):
        span, count = hi - lo, 0
        while count < 8 and (span >> (8 * count)) > 0:
            count += 1
        # The first byte consumed is the most significant one.
        value -= lo
        for i in reversed(range(count)):
            self.back.append((value >> (8 * i)) & 0xFF)

    def boolean(self, b):
        self.back.append(1 if b else 0)

    def pick(self, options, value):
        self.int_range(0, len(options) - 1, options.index(value))

    def string(self, s):
        self.front += s.encode().replace(b"\\", b"\\\\") + b"\\x"

    def u16(self, v):
        self.int_range(0, 65535, v)

    def data(self):
        # Integers are read from the last byte backwards.
        return bytes(self.front) + bytes(reversed(self.back))


def encode_key(e, key):
    parts = key.split(".")
    head = parts[0]
    if head == "sluice":
        e.int_range(0, 7, 1)
        e.boolean(True)
        rest = parts[1:]
    elif key.startswith("com.docker.compose."):
        e.int_range(0, 7, 1)
        e.boolean(False)
        e.pick(PREFIXES, "com.docker.compose")
        rest = parts[3:]
    else:
        e.int_range(0, 7, 1)
        e.boolean(False)
        e.pick(PREFIXES, head)
        rest = parts[1:]
    e.int_range(1, 8, len(rest))
    for p in rest:
        if p in WORDS:
            e.int_range(0, 5, 1)
            e.pick(WORDS, p)
        else:
            e.int_range(0, 5, 0)
            e.string(p)


def encode(opts, containers):
    e = Encoder()
    e.boolean(opts.get("exposed", True))
    e.pick(OPT_NETS, opts.get("network", ""))
    e.int_range(0, 7, 1)  # the default rule stays
    e.boolean(opts.get("own", False))
    e.int_range(0, 4, len(containers))
    for c in containers:
        e.boolean(False)
        e.string(c["name"])
        e.pick(STATES, c.get("state", "running"))
        e.pick(HEALTH, c.get("health", ""))
        e.int_range(0, 7, 1)  # not stopping
        ports = c.get("ports", [])
        e.int_range(0, 3, len(ports))
        for p in ports:
            e.u16(p)
        e.int_range(0, 5, 1)
        e.pick(MODES, c.get("mode", "bridge"))
        nets = c.get("networks", {})
        e.int_range(0, 2, len(nets))
        for n, ip in nets.items():
            e.boolean(True)
            e.pick(NETS, n)
            e.pick(IPS, ip)
            e.int_range(0, 7, 1)
        labels = c.get("labels", {})
        e.int_range(0, 12, len(labels))
        for k, v in labels.items():
            encode_key(e, k)
            e.string(v)
    return e.data()


SEEDS = {
    "single_router": ({}, [{"name": "whoami", "ports": [80], "networks": {"bridge": "172.17.0.2"},
                            "labels": {"sluice.http.routers.api.rule": "Host(`api.localhost`)",
                                       "sluice.http.services.api.loadbalancer.server.port": "80"}}]),
    "default_rule": ({}, [{"name": "web", "ports": [8080], "networks": {"bridge": "172.17.0.2"},
                           "labels": {"com.docker.compose.project": "shop",
                                      "com.docker.compose.service": "web"}}]),
    "replicas_disagree": ({}, [
        {"name": "api-1", "ports": [80], "networks": {"front": "10.0.0.5"},
         "labels": {"sluice.http.routers.api.rule": "Host(`a`)", "sluice.http.services.api.loadbalancer.server.weight": "2"}},
        {"name": "api-2", "ports": [80], "networks": {"front": "172.17.0.2"},
         "labels": {"sluice.http.routers.api.rule": "Host(`b`)", "sluice.http.services.api.loadbalancer.server.weight": "x"}}]),
    "middlewares_sticky": ({"network": "front", "own": True}, [
        {"name": "app", "ports": [3000, 9000], "networks": {"front": "fd00::5", "back": "10.0.0.5"},
         "labels": {"sluice.http.routers.app.rule": "PathPrefix(`/app`)",
                    "sluice.http.routers.app.middlewares": "strip,auth@file",
                    "sluice.http.routers.app.priority": "10",
                    "sluice.http.middlewares.strip.stripprefix.prefixes": "/app,/v1",
                    "sluice.http.services.app.loadbalancer.sticky.cookie": "true",
                    "sluice.http.services.app.loadbalancer.sticky.cookie.name": "sess\"ion",
                    "sluice.http.services.app.loadbalancer.server.port": "3000",
                    "sluice.http.services.app.loadbalancer.server.scheme": "h2c"}}]),
    "disabled_and_host_mode": ({"exposed": False}, [
        {"name": "off", "ports": [80], "labels": {"sluice.enable": "false"}},
        {"name": "hostnet", "mode": "host", "labels": {"sluice.enable": "true",
                                                       "sluice.http.services.h.loadbalancer.server.port": "8081"}},
        {"name": "sick", "health": "unhealthy", "ports": [80], "networks": {"bridge": "172.17.0.2"}},
        {"name": "gone", "state": "exited", "ports": [80]}]),
    "traefik_prefix_bad_port": ({}, [{"name": "t", "ports": [80], "networks": {"bridge": ""},
                                      "labels": {"traefik.http.routers.t.rule": "Host(`t`)",
                                                 "sluice.http.services.t.loadbalancer.server.port": "http",
                                                 "sluice.docker.network": "front"}}]),
}

if __name__ == "__main__":
    out = pathlib.Path(__file__).parent / "corpus" / "labels"
    out.mkdir(parents=True, exist_ok=True)
    for name, (opts, containers) in SEEDS.items():
        (out / name).write_bytes(encode(opts, containers))
