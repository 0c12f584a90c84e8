"""Composite services in Traefik's shapes: weighted (canary) and failover, through the real binary."""
import collections
import http.client
import json
import unittest

from harness import Backend, Sluice, entry_point, free_port, router, wait_until


def served(port, conn=None):
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/", headers={"Host": "app.localhost"})
    r = c.getresponse()
    r.read()
    if conn is None:
        c.close()
    return r.status, r.getheader("X-Instance")


class CompositeServices(unittest.TestCase):
    def setUp(self):
        self.backends = {name: Backend(name) for name in ("v1a", "v1b", "v2")}

    def tearDown(self):
        for b in self.backends.values():
            b.stop()

    def lb(self, name, *backends):
        servers = ", ".join(f'{{ url = "{self.backends[b].url}" }}' for b in backends)
        return f"[http.services.{name}.loadBalancer]\nservers = [{servers}]\n"

    def test_weighted_sends_each_service_its_share_and_skips_one_that_is_down(self):
        dyn = (router("app", "Host(`app.localhost`)", "canary") + self.lb("v1", "v1a", "v1b") + self.lb("v2", "v2") +
               "[http.services.canary.weighted]\n"
               'services = [{ name = "v1", weight = 3 }, { name = "v2", weight = 1 }]\n')
        api_port = free_port()
        s = Sluice(entry_point() + f'[api]\naddress = "127.0.0.1:{api_port}"\n', dyn, workers=1)
        try:
            c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            counts = collections.Counter(served(s.port, c)[1] for _ in range(40))
            # Smooth 3:1 between the services, then each service's own round robin.
            self.assertEqual(counts["v2"], 10, counts)
            self.assertEqual(counts["v1a"] + counts["v1b"], 30, counts)
            self.assertEqual(counts["v1a"], 15, counts)
            c.close()
            c = http.client.HTTPConnection("127.0.0.1", api_port, timeout=10)
            c.request("GET", "/api/http/services/canary@file")
            svc = json.loads(c.getresponse().read())
            c.close()
            self.assertEqual(svc["type"], "weighted")
            self.assertEqual(svc["weighted"]["services"], [{"name": "v1@file", "weight": 3}, {"name": "v2@file", "weight": 1}])
        finally:
            s.stop()

    def test_failover_to_the_fallback_while_the_main_service_has_no_server_up(self):
        dyn = (router("app", "Host(`app.localhost`)", "safe") + self.lb("main", "v1a") +
               '[http.services.main.loadBalancer.healthCheck]\npath = "/health"\ninterval = "200ms"\n' +
               self.lb("spare", "v2") +
               '[http.services.safe.failover]\nservice = "main"\nfallback = "spare"\n')
        s = Sluice(entry_point(), dyn, workers=1)
        try:
            self.assertEqual({served(s.port)[1] for _ in range(5)}, {"v1a"})
            self.backends["v1a"].stop()
            self.assertTrue(wait_until(lambda: served(s.port) == (200, "v2")))
            self.assertEqual({served(s.port) for _ in range(5)}, {(200, "v2")})
        finally:
            s.stop()

    def test_a_cycle_or_a_missing_service_disables_only_the_composite(self):
        dyn = (router("app", "Host(`app.localhost`)", "a") + router("ok", "Host(`ok.localhost`)", "v2") +
               self.lb("v2", "v2") +
               '[http.services.a.failover]\nservice = "b"\nfallback = "v2"\n'
               '[http.services.b.weighted]\nservices = [{ name = "a" }]\n'
               '[http.services.c.failover]\nservice = "nope"\nfallback = "v2"\n')
        s = Sluice(entry_point(), dyn, workers=1)
        try:
            s.wait_for(r"cycle")
            self.assertEqual(served(s.port)[0], 404)  # its router is disabled
            c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            c.request("GET", "/", headers={"Host": "ok.localhost"})
            self.assertEqual(c.getresponse().status, 200)
            c.close()
        finally:
            s.stop()


if __name__ == "__main__":
    unittest.main()
