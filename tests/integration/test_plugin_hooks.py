"""The hooks of the C boundary through the real binary: a balancer hears how each attempt
ended, a middleware keeps state per request and sees the proxy's own answers, plugins
register metrics, and the API lists the loaded plugins."""
import http.client
import json
import re
import unittest
import urllib.request

from harness import ABI, ABI_MAJOR, BUILD, FIXTURES, Backend, Sluice, entry_point, free_port, router, wait_until

PLUGINS = f'[plugins]\npaths = ["{FIXTURES}", "{BUILD}/lib/sluice/plugins"]\n'


def get(port, host, path="/"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", path, headers={"Host": host})
    r = c.getresponse()
    r.read()
    c.close()
    return r


class PluginHooks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.backend = Backend("h1")
        cls.dead = f"http://127.0.0.1:{free_port()}"
        dyn = (router("attempts", "Host(`attempts.localhost`)", "attempts") +
               # The fixture strategy proposes the first server it may: the dead one, then the live one.
               f'[http.services.attempts.loadBalancer]\nstrategy = "twin"\n'
               f'servers = [{{ url = "{cls.dead}" }}, {{ url = "{cls.backend.url}" }}]\n' +
               router("stateful", "Host(`stateful.localhost`)", "live", 'middlewares = ["t1"]') +
               router("gateway", "Host(`gateway.localhost`)", "dead", 'middlewares = ["t1"]') +
               f'[http.services.live.loadBalancer]\nservers = [{{ url = "{cls.backend.url}" }}]\n'
               f'[http.services.dead.loadBalancer]\nservers = [{{ url = "{cls.dead}" }}]\n'
               '[http.middlewares.t1.noop]\ntag = "t1"\n')
        cls.api_port = free_port()
        cls.sluice = Sluice(entry_point() + PLUGINS + f'[api]\naddress = "127.0.0.1:{cls.api_port}"\n', dyn)

    @classmethod
    def tearDownClass(cls):
        cls.sluice.stop()
        cls.backend.stop()

    def api(self, path):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.api_port}{path}", timeout=10) as r:
            return r.read().decode()

    def metric(self, text, name):
        m = re.search(rf'^{name}{{plugin="twin",instance="attempts@file"}} (-?\d+)$', text, re.M)
        self.assertIsNotNone(m, f"{name} missing from /metrics")
        return int(m.group(1))

    def test_a_balancer_hears_every_attempt_once_with_its_outcome(self):
        before = self.api("/metrics")
        for _ in range(5):
            self.assertEqual(get(self.sluice.port, "attempts.localhost").status, 200)
        # An attempt is reported ended just after its client has the last byte: wait for the
        # last one (bounded), then check every figure.
        name = "sluice_plugin_fixture_in_flight"
        wait_until(lambda: re.search(rf'^{name}{{[^}}]*}} 0$', self.api("/metrics"), re.M) is not None, timeout=5)
        after = self.api("/metrics")
        self.assertIn("# TYPE sluice_plugin_fixture_attempts_refused_total counter", after)
        self.assertIn("# TYPE sluice_plugin_fixture_in_flight gauge", after)
        # A plugin's help text cannot break the exposition: its line feed and backslash are escaped.
        self.assertIn("# HELP sluice_plugin_fixture_in_flight Attempts picked\\nand not yet ended \\\\ (or failed)\n",
                      after)
        for outcome in ("refused", "response"):
            name = f"sluice_plugin_fixture_attempts_{outcome}_total"
            self.assertEqual(self.metric(after, name) - (self.metric(before, name) if name in before else 0), 5,
                             outcome)
        # Every attempt the picker started was reported as ended, exactly once.
        self.assertEqual(self.metric(after, "sluice_plugin_fixture_in_flight"), 0)

    def test_a_middleware_keeps_state_per_request(self):
        for path in ("/a?x=1", "/b"):
            r = get(self.sluice.port, "stateful.localhost", path)
            self.assertEqual(r.status, 200)
            self.assertEqual(r.getheader("X-Request-State"), f"t1 {path}")

    def test_response_hooks_see_the_proxys_own_answers(self):
        r = get(self.sluice.port, "gateway.localhost", "/down")
        self.assertEqual(r.status, 502)
        self.assertEqual(r.getheader("X-Chain-Response"), "t1")
        self.assertEqual(r.getheader("X-Request-State"), "t1 /down")

    def test_the_api_lists_loaded_and_refused_plugins(self):
        listed = json.loads(self.api("/api/plugins"))
        by_name = {p["name"]: p for p in listed["plugins"]}
        self.assertEqual(by_name["noop"]["kind"], "middleware")
        self.assertEqual(by_name["wrapper"]["role"], "wrapper")
        self.assertEqual(by_name["roundrobin"]["abi"], ABI)
        self.assertIn("weighted round robin", by_name["roundrobin"]["summary"].lower())
        self.assertTrue(any(f"abi_major.so: built for plugin ABI {ABI_MAJOR + 1}." in r for r in listed["refused"]))


if __name__ == "__main__":
    unittest.main()
