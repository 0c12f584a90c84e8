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

    def test_a_sticky_weighted_service_keeps_a_client_on_its_service_until_it_goes_down(self):
        dyn = (router("app", "Host(`app.localhost`)", "canary") + self.lb("v1", "v1a") + self.lb("v2", "v2") +
               '[http.services.v2.loadBalancer.healthCheck]\npath = "/health"\ninterval = "200ms"\n'
               "[http.services.canary.weighted]\n"
               'services = [{ name = "v1", weight = 1 }, { name = "v2", weight = 1 }]\n'
               '[http.services.canary.weighted.sticky.cookie]\nname = "release"\nhttpOnly = true\nsameSite = "lax"\n')
        api_port = free_port()
        s = Sluice(entry_point() + f'[api]\naddress = "127.0.0.1:{api_port}"\n', dyn, workers=1)

        def get(cookie=None):
            c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            headers = {"Host": "app.localhost"}
            if cookie:
                headers["Cookie"] = f"other=1; release={cookie}"
            c.request("GET", "/", headers=headers)
            r = c.getresponse()
            r.read()
            c.close()
            return r.getheader("X-Instance"), r.getheader("Set-Cookie")

        try:
            pins = {}
            for _ in range(2):  # 1:1: one new client to each service, each told its pin
                instance, set_cookie = get()
                self.assertRegex(set_cookie, r"^release=[0-9a-f]{16}; Path=/; HttpOnly; SameSite=Lax$")
                pins[instance] = set_cookie.split(";")[0].split("=")[1]
            self.assertEqual(set(pins), {"v1a", "v2"})
            # Pinned: always the same service, and no new cookie, whatever the weighted turn.
            for _ in range(6):
                self.assertEqual(get(pins["v2"]), ("v2", None))
                self.assertEqual(get(pins["v1a"]), ("v1a", None))
            # The pinned service has no server up: the client moves, with a cookie for its new service.
            self.backends["v2"].stop()
            self.assertTrue(wait_until(lambda: get(pins["v2"])[0] == "v1a"))
            self.assertEqual(get(pins["v2"]), ("v1a", "release=" + pins["v1a"] + "; Path=/; HttpOnly; SameSite=Lax"))
            c = http.client.HTTPConnection("127.0.0.1", api_port, timeout=10)
            c.request("GET", "/api/http/services/canary@file")
            svc = json.loads(c.getresponse().read())
            c.close()
            self.assertEqual(svc["weighted"]["sticky"]["cookie"]["name"], "release")
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
