"""The API entry point: REST API, /metrics, /ping, change logs, and the dashboard in Chromium."""
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

from harness import BUILD, Backend, Sluice, entry_point, free_port, router, wait_until


def api(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    c.close()
    ctype = r.getheader("Content-Type") or ""
    return r.status, dict(r.getheaders()), (json.loads(body) if "json" in ctype else body.decode())


def traffic_to(port, path, host="demo.localhost"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", path, headers={"Host": host})
    c.getresponse().read()
    c.close()


def traffic(port, n, host="demo.localhost"):
    for _ in range(n):
        traffic_to(port, "/api/", host)


def metric(text, name, **labels):
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


class Api(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.backend = Backend("a1")
        cls.dead = f"http://127.0.0.1:{free_port()}"
        cls.dynamic = (router("demo", "Host(`demo.localhost`)", "demo", 'middlewares = ["strip"]') +
                       router("broken", "Host(`broken`", "demo") +
                       "[http.services.demo.loadBalancer]\n"
                       f'servers = [{{ url = "{cls.backend.url}" }}, {{ url = "{cls.dead}" }}]\n'
                       '[http.services.demo.loadBalancer.healthCheck]\npath = "/health"\ninterval = "200ms"\n'
                       '[http.middlewares.strip.stripPrefix]\nprefixes = ["/nothing"]\n')
        cls.sluice = Sluice(entry_point() + '[api]\naddress = "127.0.0.1:0"\n', cls.dynamic, workers=2)
        cls.api_port = int(cls.sluice.wait_for(r"API and dashboard listening on [\d.]+:(\d+)").group(1))
        cls.sluice.wait_for(rf"server {cls.dead} of service demo@file is DOWN")

    @classmethod
    def tearDownClass(cls):
        cls.sluice.stop()
        cls.backend.stop()

    def test_ping_and_version(self):
        self.assertEqual(api(self.api_port, "/ping")[::2], (200, "OK"))
        self.assertRegex(api(self.api_port, "/api/version")[2]["Version"], r"^\d+\.\d+\.\d+$")

    def test_routers_with_their_errors(self):
        status, _, routers = api(self.api_port, "/api/http/routers")
        self.assertEqual(status, 200)
        by_name = {r["name"]: r for r in routers}
        self.assertEqual(by_name["demo@file"]["status"], "enabled")
        self.assertEqual(by_name["demo@file"]["middlewares"], ["strip@file"])
        self.assertEqual(by_name["demo@file"]["priority"], len("Host(`demo.localhost`)"))
        self.assertEqual(by_name["broken@file"]["status"], "disabled")
        self.assertIn('http.routers.broken.rule: position 14: expected ")"', by_name["broken@file"]["error"][0])
        status, _, one = api(self.api_port, "/api/http/routers/demo@file")
        self.assertEqual((status, one["service"]), (200, "demo@file"))
        self.assertEqual(api(self.api_port, "/api/http/routers/nope@file")[0], 404)

    def test_services_show_server_health_and_strategy(self):
        _, _, svc = api(self.api_port, "/api/http/services/demo@file")
        self.assertEqual(svc["loadBalancer"]["strategy"], "roundrobin")
        self.assertEqual(svc["serverStatus"], {self.backend.url: "UP", self.dead: "DOWN"})
        self.assertEqual(sorted(svc["usedBy"]), ["broken@file", "demo@file"])

    def test_middlewares_entrypoints_overview_rawdata(self):
        _, _, mws = api(self.api_port, "/api/http/middlewares")
        self.assertEqual([(m["name"], m["type"], m["status"]) for m in mws], [("strip@file", "stripprefix", "enabled")])
        # Its configuration under its type, as Traefik's API shows it, and who uses it.
        self.assertEqual(mws[0]["stripPrefix"], {"prefixes": ["/nothing"]})
        self.assertEqual(mws[0]["usedBy"], ["demo@file"])
        self.assertEqual(api(self.api_port, "/api/entrypoints")[2][0]["name"], "web")
        overview = api(self.api_port, "/api/overview")[2]
        self.assertEqual(overview["http"]["routers"], {"total": 2, "errors": 1, "warnings": 0})
        raw = api(self.api_port, "/api/rawdata")[2]
        self.assertEqual(set(raw), {"routers", "services", "middlewares"})

    def test_pagination(self):
        status, headers, page1 = api(self.api_port, "/api/http/routers?per_page=1")
        self.assertEqual((len(page1), headers["X-Next-Page"]), (1, "2"))
        status, headers, page2 = api(self.api_port, "/api/http/routers?per_page=1&page=2")
        self.assertEqual((len(page2), headers["X-Next-Page"]), (1, "1"))
        self.assertNotEqual(page1[0]["name"], page2[0]["name"])

    def test_metrics_move_with_traffic(self):
        before = api(self.api_port, "/metrics")[2]
        traffic(self.sluice.port, 5)
        after = api(self.api_port, "/metrics")[2]
        for family, labels in (("sluice_router_requests_total", {"router": "demo@file"}),
                               ("sluice_service_requests_total", {"service": "demo@file"}),
                               ("sluice_entrypoint_requests_total", {"entrypoint": "web"}),
                               ("sluice_router_request_duration_seconds_count", {"router": "demo@file"})):
            self.assertEqual(metric(after, family, code="200", method="GET", **labels) -
                             metric(before, family, code="200", method="GET", **labels), 5, family)
        self.assertEqual(metric(after, "sluice_service_server_up", url=self.dead), 0)
        self.assertEqual(metric(after, "sluice_service_server_up", url=self.backend.url), 1)
        self.assertGreaterEqual(metric(after, "sluice_config_reloads_total"), 1)
        self.assertEqual(metric(after, "sluice_config_last_reload_success"), 1)
        self.assertIn("# TYPE sluice_router_request_duration_seconds histogram", after)
        _, _, svc = api(self.api_port, "/api/http/services/demo@file")
        self.assertGreaterEqual(svc["serverRequests"][self.backend.url], 5)

    def test_each_servers_load_in_flight_and_average_duration(self):
        slow = threading.Thread(target=lambda: traffic_to(self.sluice.port, "/delay/1500"))
        slow.start()
        try:
            # Held on the backend: one attempt in flight on it, in the API and in /metrics.
            self.assertTrue(wait_until(
                lambda: api(self.api_port, "/api/http/services/demo@file")[2]["serverLoad"][self.backend.url]["inFlight"] == 1))
            self.assertEqual(metric(api(self.api_port, "/metrics")[2], "sluice_service_server_requests_in_flight",
                                    url=self.backend.url), 1)
        finally:
            slow.join()
        load = api(self.api_port, "/api/http/services/demo@file")[2]["serverLoad"]
        self.assertEqual(load[self.backend.url]["inFlight"], 0)
        self.assertGreater(load[self.backend.url]["averageMs"], 0)
        self.assertEqual(load[self.dead], {"inFlight": 0, "averageMs": 0})
        text = api(self.api_port, "/metrics")[2]
        self.assertEqual(metric(text, "sluice_service_server_requests_in_flight", url=self.backend.url), 0)
        self.assertGreater(metric(text, "sluice_service_server_request_duration_average_seconds", url=self.backend.url), 0)

    def test_dashboard_renders_in_chromium(self):
        chromium = shutil.which("chromium")
        if not chromium:
            if os.environ.get("CI") == "true":
                self.fail("chromium is not installed")
            self.skipTest("chromium is not installed")
        traffic(self.sluice.port, 3)
        profile = tempfile.mkdtemp(prefix="sluice-chromium-")
        self.addCleanup(shutil.rmtree, profile, True)
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", "--virtual-time-budget=4000"]
        url = f"http://127.0.0.1:{self.api_port}/dashboard/"
        dom = subprocess.run([chromium, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=120).stdout
        for expected in ("demo@file", "broken@file", "strip@file", self.backend.url, self.dead, ">UP<", ">DOWN<",
                         "expected &quot;)&quot;", "2 routers · 1 services · 1 middlewares", 'prefixes = ["/nothing"]'):
            self.assertIn(expected, dom.replace('"', "&quot;") if expected.startswith("expected") else dom)
        shot = os.path.join(BUILD, "dashboard.png")
        subprocess.run([chromium, *flags, "--window-size=1200,800", f"--screenshot={shot}", url],
                       capture_output=True, timeout=120)
        self.assertTrue(os.path.getsize(shot) > 10_000)


class ChangesAndDraining(unittest.TestCase):
    def test_configuration_changes_are_logged_once_with_what_changed(self):
        b1, b2 = Backend("c1"), Backend("c2")
        self.addCleanup(b1.stop)
        self.addCleanup(b2.stop)
        base = router("demo", "Host(`demo.localhost`)", "demo")
        s = Sluice(entry_point(), base + f'[http.services.demo.loadBalancer]\nservers = [{{ url = "{b1.url}" }}]\n')
        self.addCleanup(s.stop)
        mark = len(s.lines)
        s.write_dynamic(base + router("extra", "Host(`x`)", "demo") +
                        f'[http.services.demo.loadBalancer]\nservers = [{{ url = "{b2.url}" }}]\n')
        line = s.wait_for(r"configuration 2 applied: .*", start=mark).group(0)
        self.assertIn("routers +extra@file", line)
        self.assertIn(f"servers of demo@file +{b2.url} -{b1.url}", line)
        time.sleep(0.3)
        self.assertEqual(sum("configuration 2 applied" in l for l in s.lines), 1)

    def test_ping_answers_503_while_draining(self):
        b = Backend("slow")
        self.addCleanup(b.stop)
        s = Sluice(entry_point() + '[api]\naddress = "127.0.0.1:0"\n',
                   router("demo", "Host(`demo.localhost`)", "demo") +
                   f'[http.services.demo.loadBalancer]\nservers = [{{ url = "{b.url}" }}]\n')
        self.addCleanup(s.stop)
        api_port = int(s.wait_for(r"API and dashboard listening on [\d.]+:(\d+)").group(1))

        def slow():
            c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            c.request("GET", "/delay/1500", headers={"Host": "demo.localhost"})
            c.getresponse().read()

        t = threading.Thread(target=slow)
        t.start()
        time.sleep(0.3)
        s.signal(signal.SIGTERM)
        time.sleep(0.2)
        self.assertEqual(api(api_port, "/ping")[::2], (503, "draining"))
        t.join(10)


if __name__ == "__main__":
    unittest.main()
