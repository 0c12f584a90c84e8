"""The docker provider against a real dockerd."""
import collections
import http.client
import json
import os
import shutil
import ssl
import subprocess
import tempfile
import time
import unittest

import docker_harness as dh
from harness import SLUICE, Load, Sluice, entry_point, free_port, wait_until

HOST = "web-demo"  # the default rule of compose service "web" in project "demo"


def get(port, host=HOST, path="/api/"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", path, headers={"Host": host})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, (json.loads(body) if r.status == 200 and body.startswith(b"{") else body)


def instances(port, n=12, host=HOST, path="/api/"):
    seen = []
    for _ in range(n):
        status, body = get(port, host, path)
        seen.append(body["instance"] if status == 200 else status)
    return seen


# A health check every second against the demo backend's /health.
HEALTH_CHECK = ["--health-cmd", "/bin/busybox wget -q -O /dev/null http://127.0.0.1/health",
                "--health-interval", "1s", "--health-retries", "1", "--health-timeout", "2s"]


def fail_health_check(name):
    """The container (one this test started) answers 500 on /health from now on."""
    ip = dh.inspect(dh.cname(name))["NetworkSettings"]["Networks"]["bridge"]["IPAddress"]
    c = http.client.HTTPConnection(ip, 80, timeout=5)
    c.request("GET", "/health/set/500")
    c.getresponse().read()
    c.close()


def make_ca(folder, name):
    """A self-signed CA made with openssl for this test: {"cert": path, "key": path}."""
    out = {"cert": os.path.join(folder, name + ".crt"), "key": os.path.join(folder, name + ".key")}
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={name}",
                    "-keyout", out["key"], "-out", out["cert"]], check=True, capture_output=True, timeout=60)
    return out


def make_cert(folder, name, ca, san=None):
    """A certificate for `name` signed by `ca` (with subjectAltName `san` when given)."""
    out = {"cert": os.path.join(folder, name + ".crt"), "key": os.path.join(folder, name + ".key")}
    csr = os.path.join(folder, name + ".csr")
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}", "-keyout", out["key"],
                    "-out", csr], check=True, capture_output=True, timeout=60)
    args = ["openssl", "x509", "-req", "-in", csr, "-CA", ca["cert"], "-CAkey", ca["key"], "-CAcreateserial",
            "-days", "2", "-out", out["cert"]]
    if san:
        ext = os.path.join(folder, name + ".ext")
        with open(ext, "w") as f:
            f.write(f"subjectAltName={san}\n")
        args += ["-extfile", ext]
    subprocess.run(args, check=True, capture_output=True, timeout=60)
    return out


def provider(extra=""):
    return f'[providers.docker]\n{extra}\n'


class Docker(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dh.require_docker(cls)
        dh.build_image()

    @classmethod
    def tearDownClass(cls):
        dh.cleanup()
        dh.remove_image()

    def tearDown(self):
        dh.cleanup()

    def sluice(self, extra="", static_extra=""):
        s = Sluice(entry_point() + static_extra + provider(extra), None, workers=2)
        self.addCleanup(s.stop)
        s.wait_for(r"provider docker: watching unix://")
        return s

    def test_scale_up_and_down(self):
        s = self.sluice()
        dh.replica("demo", "web", 1)
        self.assertTrue(wait_until(lambda: set(instances(s.port, 3)) == {"web-1"}))
        dh.replica("demo", "web", 2)
        dh.replica("demo", "web", 3)
        self.assertTrue(wait_until(lambda: set(instances(s.port, 6)) == {"web-1", "web-2", "web-3"}))
        dh.docker("rm", "-f", dh.cname("web-2"), dh.cname("web-3"))
        self.assertTrue(wait_until(lambda: set(instances(s.port, 6)) == {"web-1"}))
        self.assertEqual(set(instances(s.port, 20)), {"web-1"})  # none to the removed ones

    def test_stopping_a_container_under_load_fails_no_request(self):
        s = self.sluice()
        for i in (1, 2, 3):
            dh.replica("demo", "web", i)
        self.assertTrue(wait_until(lambda: len(set(instances(s.port, 6))) == 3))
        def one():
            status, body = get(s.port)
            return status, body["instance"] if status == 200 else None

        with Load(one) as load:
            time.sleep(0.5)
            dh.docker("stop", "-t", "5", dh.cname("web-2"))
            mark = len(load.served)
            time.sleep(1.0)
        self.assertEqual(load.failures, [])
        self.assertNotIn("web-2", load.served[mark:])
        self.assertGreater(len(load.served), mark)

    def test_a_rolling_label_change_swaps_the_strategy_five_times_under_load(self):
        api_port = free_port()
        s = self.sluice(static_extra=f'[api]\naddress = "127.0.0.1:{api_port}"\n')
        label = "sluice.http.services.web-demo.loadbalancer.strategy"
        # Two replicas at a time. Each swap is a rolling update of one: a replica with the new
        # label starts (the newest defines the service) and then the oldest stops.
        strategies = ["roundrobin", "first", "leastconn", "random", "p2c", "roundrobin"]
        live, started = [], [0]

        def start(strategy):
            started[0] += 1
            dh.replica("demo", "web", started[0], labels={label: strategy})
            live.append(started[0])

        def served():
            c = http.client.HTTPConnection("127.0.0.1", api_port, timeout=10)
            try:
                c.request("GET", "/api/http/services/web-demo@docker")
                r = c.getresponse()
                lb = json.loads(r.read()).get("loadBalancer", {}) if r.status == 200 else {}
                return lb.get("strategy"), len(lb.get("servers", []))
            finally:
                c.close()

        start(strategies[0])
        start(strategies[0])
        self.assertTrue(wait_until(lambda: set(instances(s.port, 6)) == {"web-1", "web-2"}))
        phase = [0]  # the phase a request starts in; -1 while a swap is under way

        def one():
            started_in = phase[0]
            status, body = get(s.port)
            counted = status == 200 and started_in >= 0 and phase[0] == started_in
            return status, (started_in, body["instance"]) if counted else None

        with Load(one, threads=4, limit=120) as load:
            time.sleep(1.0)
            for i, strategy in enumerate(strategies[1:], start=1):
                phase[0] = -1
                start(strategy)
                self.assertTrue(wait_until(lambda: served() == (strategy, 3)), (strategy, served()))
                oldest = live.pop(0)
                dh.docker("stop", "-t", "5", dh.cname(f"web-{oldest}"))
                self.assertTrue(wait_until(lambda: served() == (strategy, 2)), (strategy, served()))
                phase[0] = i
                time.sleep(1.0)
        self.assertEqual(load.failures, [])
        seen = {}
        for started_in, name in filter(None, load.served):
            seen.setdefault(started_in, collections.Counter())[name] += 1
        for i, strategy in enumerate(strategies):
            counts = seen.get(i, collections.Counter())
            self.assertGreater(sum(counts.values()), 20, (strategy, counts))
            # After swap i, replicas i+1 and i+2 serve (the first phase: 1 and 2).
            expected = {f"web-{i + 1}", f"web-{i + 2}"}
            if strategy == "first":
                self.assertEqual(len(counts), 1, (strategy, counts))
                self.assertLessEqual(set(counts), expected, (strategy, counts))
            elif strategy == "p2c":
                # By response time: a replica whose first answers were slower (it had just
                # started) may rightly get nothing for the second this phase lasts.
                self.assertLessEqual(set(counts), expected, (strategy, counts))
            else:
                self.assertEqual(set(counts), expected, (strategy, counts))

    def test_traefik_labels_work_unchanged(self):
        s = self.sluice('labelPrefix = "traefik"\nexposedByDefault = false')
        dh.run_container("api", labels={
            "traefik.enable": "true",
            "traefik.http.routers.api.rule": "Host(`demo.localhost`) && PathPrefix(`/api`)",
            "traefik.http.routers.api.middlewares": "strip-api",
            "traefik.http.routers.api.entrypoints": "web",
            "traefik.http.services.api.loadbalancer.server.port": "80",
            "traefik.http.middlewares.strip-api.stripprefix.prefixes": "/api",
        })
        dh.run_container("hidden")  # not enabled: exposedByDefault is off
        self.assertTrue(wait_until(lambda: get(s.port, "demo.localhost", "/api/users")[0] == 200))
        status, body = get(s.port, "demo.localhost", "/api/users")
        self.assertEqual((body["instance"], body["path"]), ("api", "/users"))
        self.assertEqual(body["headers"]["X-Forwarded-Prefix"], "/api")
        self.assertEqual(get(s.port, dh.cname("hidden"))[0], 404)

    def test_health_gated_containers(self):
        s = self.sluice()
        dh.replica("demo", "web", 1, *HEALTH_CHECK)
        # "starting" gets no traffic; "healthy" does.
        self.assertEqual(get(s.port)[0], 404)
        self.assertTrue(wait_until(lambda: get(s.port)[0] == 200, 15))
        fail_health_check("web-1")
        self.assertTrue(wait_until(lambda: get(s.port)[0] == 404, 15))  # unhealthy: out

    def test_allow_empty_services_answers_503_while_no_replica_serves(self):
        s = self.sluice("allowEmptyServices = true")
        dh.replica("demo", "web", 1, *HEALTH_CHECK)
        # Starting: the router is there and its service has no server yet (503, not 404).
        self.assertTrue(wait_until(lambda: get(s.port)[0] == 503, 10))
        self.assertTrue(wait_until(lambda: get(s.port)[0] == 200, 15))
        fail_health_check("web-1")
        self.assertTrue(wait_until(lambda: get(s.port)[0] == 503, 15))  # unhealthy: no server, still routed

    def test_constraints_choose_the_containers(self):
        s = self.sluice("constraints = \"Label(`team`, `blue`) && !LabelRegex(`tier`, `^db`)\"")
        dh.run_container("blue", labels={"team": "blue", "tier": "web"})
        dh.run_container("db", labels={"team": "blue", "tier": "db-main"})
        dh.run_container("red", labels={"team": "red"})
        self.assertTrue(wait_until(lambda: get(s.port, dh.cname("blue"))[0] == 200))
        self.assertEqual(get(s.port, dh.cname("db"))[0], 404)
        self.assertEqual(get(s.port, dh.cname("red"))[0], 404)
        # A constraint that does not parse is refused, naming the option and where.
        with tempfile.TemporaryDirectory(prefix="sluice-constraints-") as folder:
            path = os.path.join(folder, "sluice.toml")
            with open(path, "w") as f:
                f.write(entry_point() + provider("constraints = \"Label(`a`, `b`) || Label(`team`)\""))
            check = subprocess.run([SLUICE, "check", "--config", path], capture_output=True, text=True, timeout=30)
        self.assertEqual(check.returncode, 1)
        self.assertIn("providers.docker.constraints: at 20: Label takes 2 arguments", check.stderr)

    def test_engine_outage_keeps_serving_and_recovers(self):
        relay_path = os.path.join(tempfile.mkdtemp(prefix="sluice-relay-"), "docker.sock")
        relay = dh.UnixRelay(relay_path, "/var/run/docker.sock")
        self.addCleanup(relay.stop)
        s = self.sluice(f'endpoint = "unix://{relay_path}"')
        dh.replica("demo", "web", 1)
        self.assertTrue(wait_until(lambda: instances(s.port, 2) == ["web-1", "web-1"]))
        relay.stop()  # what sluice sees when dockerd restarts: the socket and its connections go
        s.wait_for(r"unreachable .*serving the last known backends")
        self.assertEqual(instances(s.port, 3), ["web-1"] * 3)
        time.sleep(0.5)
        self.assertEqual(sum("unreachable" in line for line in s.lines), 1)  # once per outage
        dh.replica("demo", "web", 2)  # happens while the provider cannot see
        relay.start()
        s.wait_for(r"reachable again")
        self.assertTrue(wait_until(lambda: set(instances(s.port, 6)) == {"web-1", "web-2"}))

    def test_tcp_endpoint(self):
        relay = dh.UnixRelay(free_port(), "/var/run/docker.sock")  # a daemon reached over TCP
        self.addCleanup(relay.stop)
        s = Sluice(entry_point() + provider(f'endpoint = "tcp://127.0.0.1:{relay.path}"'), None, workers=1)
        self.addCleanup(s.stop)
        s.wait_for(rf"provider docker: watching tcp://127\.0\.0\.1:{relay.path}")
        dh.replica("demo", "web", 1)
        self.assertTrue(wait_until(lambda: instances(s.port, 2) == ["web-1", "web-1"]))

    def test_tls_endpoint_with_client_certificates(self):
        folder = tempfile.mkdtemp(prefix="sluice-tls-")
        self.addCleanup(shutil.rmtree, folder)
        ca = make_ca(folder, "ca")
        server = make_cert(folder, "server", ca, san="IP:127.0.0.1")
        client = make_cert(folder, "client", ca)
        other_ca = make_ca(folder, "other-ca")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=ca["cert"])
        context.load_cert_chain(server["cert"], server["key"])
        context.verify_mode = ssl.CERT_REQUIRED  # the daemon asks for the client's certificate
        relay = dh.UnixRelay(free_port(), "/var/run/docker.sock", tls=context)
        self.addCleanup(relay.stop)
        dh.replica("demo", "web", 1)
        def over_tls(tls):
            p = Sluice(entry_point() + provider(f'endpoint = "tcp://127.0.0.1:{relay.path}"\n'
                                                f'[providers.docker.tls]\n{tls}'), None, workers=1)
            self.addCleanup(p.stop)
            return p

        client_files = f'cert = "{client["cert"]}"\nkey = "{client["key"]}"\n'
        # The daemon's CA, the client's certificate and key as files: discovered over TLS.
        s = over_tls(f'ca = "{ca["cert"]}"\n' + client_files)
        s.wait_for(rf"provider docker: watching tcp://127\.0\.0\.1:{relay.path}")
        self.assertTrue(wait_until(lambda: instances(s.port, 2) == ["web-1", "web-1"]))
        # Another CA: the daemon is not trusted, and the log says why.
        wrong = over_tls(f'ca = "{other_ca["cert"]}"\n' + client_files)
        wrong.wait_for(r"unreachable \(TLS handshake failed: certificate verify failed")
        # insecureSkipVerify trusts any daemon (the client's certificate still goes), and the
        # key given as the PEM itself instead of a path, as Traefik allows.
        with open(client["key"]) as f:
            inline_key = f.read()
        skip = over_tls(f'insecureSkipVerify = true\ncert = "{client["cert"]}"\nkey = """{inline_key}"""\n')
        skip.wait_for(r"provider docker: watching tcp://")
        self.assertTrue(wait_until(lambda: instances(skip.port, 2) == ["web-1", "web-1"]))
        # A certificate without its key, or a file that is not there, is the option's error.
        path = os.path.join(folder, "bad.toml")
        with open(path, "w") as f:
            f.write(entry_point() + provider(f'endpoint = "tcp://127.0.0.1:{relay.path}"\n'
                                             f'tls = {{ cert = "{client["cert"]}", ca = "/nonexistent.pem" }}'))
        check = subprocess.run([SLUICE, "check", "--config", path], capture_output=True, text=True, timeout=30)
        self.assertEqual(check.returncode, 1)
        self.assertIn("providers.docker.tls.ca: cannot read /nonexistent.pem", check.stderr)

    def test_container_on_two_networks(self):
        net = f"sluice-test-{dh.RUN}-net"
        dh.docker("network", "create", "--label", dh.LABEL, net)
        s = self.sluice(static_extra="[accessLog]\n")
        chosen = dh.run_container("multi", labels={"sluice.docker.network": net})
        other = dh.run_container("plain")
        for cid in (chosen, other):
            dh.docker("network", "connect", net, cid)
        addresses = {n: v["IPAddress"] for n, v in dh.inspect(chosen)["NetworkSettings"]["Networks"].items()}
        self.assertTrue(wait_until(lambda: get(s.port, dh.cname("multi"))[0] == 200))
        s.wait_for(rf'"{dh.cname("multi")}@docker" "http://{addresses[net]}:80"')  # the labelled network, not bridge
        # Without a label or option: the first network by name, every time ("bridge" < net).
        bridge_ip = dh.inspect(other)["NetworkSettings"]["Networks"]["bridge"]["IPAddress"]
        self.assertTrue(wait_until(lambda: get(s.port, dh.cname("plain"))[0] == 200))
        s.wait_for(rf'"{dh.cname("plain")}@docker" "http://{bridge_ip}:80"')

    def test_host_network_container(self):
        port = free_port()
        s = self.sluice()
        dh.run_container("hostnet", "--network", "host",
                         labels={f"sluice.http.services.{dh.cname('hostnet')}.loadbalancer.server.port": str(port)},
                         command=("--host", "127.0.0.1", "--port", str(port)))
        self.assertTrue(wait_until(lambda: get(s.port, dh.cname("hostnet"))[0] == 200))
        self.assertEqual(get(s.port, dh.cname("hostnet"))[1]["instance"], "hostnet")

    def test_bad_labels_skip_only_that_container(self):
        s = self.sluice()
        dh.run_container("bad", labels={"sluice.http.services.bad.loadbalancer.server.port": "eighty"})
        dh.run_container("good")
        self.assertTrue(wait_until(lambda: get(s.port, dh.cname("good"))[0] == 200))
        s.wait_for(r"label sluice\.http\.services\.bad\.loadbalancer\.server\.port=eighty is not a port number")
        self.assertEqual(get(s.port, "bad")[0], 404)

    def test_traefik_sticky_cookie_name_and_unknown_label(self):
        """`sticky.cookie=true` beside `sticky.cookie.name` is one named cookie; a Traefik v1
        label is warned about and the container still serves."""
        s = self.sluice('labelPrefix = "traefik"')
        dh.run_container("static", labels={
            "traefik.http.services.static.loadbalancer.sticky.cookie": "true",
            "traefik.http.services.static.loadbalancer.sticky.cookie.name": "static_cookie",
            "traefik.frontend.rule": "Host:static.localhost",
        })
        host = dh.cname("static")  # the default router is the container's, its service "static"
        self.assertTrue(wait_until(lambda: get(s.port, host)[0] == 200))
        c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        c.request("GET", "/api/", headers={"Host": host})
        r = c.getresponse()
        body = json.loads(r.read())
        cookies = r.msg.get_all("Set-Cookie") or []
        c.close()
        self.assertEqual(r.status, 200)
        self.assertEqual(body["instance"], "static")
        self.assertTrue(any(v.startswith("static_cookie=") for v in cookies), cookies)
        s.wait_for(rf"container {host}: label traefik\.frontend\.rule=Host:static\.localhost ignored")
        self.assertFalse(any("cookie already has a value" in line for line in s.lines))


if __name__ == "__main__":
    unittest.main()
