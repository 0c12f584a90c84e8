"""Rules and middleware chains through the real binary."""
import http.client
import json
import unittest

from harness import FIXTURES, Backend, Sluice, entry_point, router, service


class Routing(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.backends = {n: Backend(n) for n in ("api", "web", "admin", "beta")}
        b = cls.backends
        dyn = (
            router("api", "Host(`demo.localhost`) && PathPrefix(`/api/`)", "api",
                   'middlewares = ["strip-api"]') +
            router("web", "Host(`demo.localhost`)", "web") +
            router("admin", "(Host(`demo.localhost`) || HostRegexp(`^admin\\\\.`)) && "
                            "PathPrefix(`/admin`) && ClientIP(`127.0.0.0/8`) && !Method(`DELETE`)", "admin") +
            router("beta", "Host(`demo.localhost`) && (Header(`X-Beta`, `1`) || Query(`beta`, `yes`))", "beta",
                   "priority = 1000") +
            router("chain", "Host(`chain.localhost`)", "web", 'middlewares = ["t1", "t2", "strip-a", "strip-b"]') +
            router("chain-reversed", "Host(`reversed.localhost`)", "web", 'middlewares = ["strip-b", "strip-a"]') +
            router("answer", "Host(`answer.localhost`)", "web", 'middlewares = ["t1", "strip-a", "t2"]') +
            "".join(service(n, [backend.url]) for n, backend in b.items()) +
            '[http.middlewares.strip-api.stripPrefix]\nprefixes = ["/api"]\n'
            '[http.middlewares.strip-a.stripPrefix]\nprefixes = ["/a"]\n'
            '[http.middlewares.strip-b.stripPrefix]\nprefixes = ["/b"]\n'
            '[http.middlewares.t1.noop]\ntag = "t1"\n'
            '[http.middlewares.t2.noop]\ntag = "t2"\n')
        plugins = f'[plugins]\npaths = ["{FIXTURES}", "{cls.backends["api"].args[0].rsplit("/bin/", 1)[0]}/lib/sluice/plugins"]\n'
        cls.sluice = Sluice(entry_point() + plugins, dyn, workers=2)

    @classmethod
    def tearDownClass(cls):
        cls.sluice.stop()
        for b in cls.backends.values():
            b.stop()

    def get(self, path, host="demo.localhost", method="GET", headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.sluice.port, timeout=10)
        c.request(method, path, headers={"Host": host, **(headers or {})})
        r = c.getresponse()
        body = r.read()
        c.close()
        return r, (json.loads(body) if r.getheader("Content-Type") == "application/json" else body)

    def test_longer_rule_wins_and_stripprefix_rewrites(self):
        r, body = self.get("/api/users?x=1")
        self.assertEqual(body["instance"], "api")
        self.assertEqual(body["path"], "/users?x=1")  # the backend answers any path
        self.assertEqual(body["headers"]["X-Forwarded-Prefix"], "/api")
        self.assertIn(b'<span id="instance">api</span>', self.get("/api/")[1])  # "/" is the page

    def test_host_alone_routes_the_rest(self):
        self.assertEqual(self.get("/other/")[1]["instance"], "web")
        self.assertEqual(self.get("/other/", host="DEMO.localhost.:8000")[1]["instance"], "web")

    def test_combined_matchers(self):
        self.assertEqual(self.get("/admin/x")[1]["instance"], "admin")
        self.assertEqual(self.get("/admin/x", host="admin.example")[1]["instance"], "admin")
        self.assertEqual(self.get("/admin/x", method="DELETE")[1]["instance"], "web")
        self.assertEqual(self.get("/admin/x", host="other.example")[0].status, 404)

    def test_header_or_query_with_explicit_priority(self):
        self.assertEqual(self.get("/admin/x", headers={"X-Beta": "1"})[1]["instance"], "beta")
        self.assertEqual(self.get("/api/x?beta=yes")[1]["instance"], "beta")
        self.assertEqual(self.get("/api/x?beta=no")[1]["instance"], "api")

    def test_middlewares_run_in_order_and_responses_in_reverse(self):
        r, body = self.get("/a/b/api/c", host="chain.localhost")
        self.assertEqual(body["path"], "/api/c")
        self.assertEqual(body["headers"]["X-Chain"], "t1, t2")
        self.assertEqual(r.getheader("X-Chain-Response"), "t2, t1")
        # The other order strips only /a: strip-b saw /a/b/api/c first and let it be.
        self.assertEqual(self.get("/a/b/api/c", host="reversed.localhost")[1]["path"], "/b/api/c")

    def test_a_middleware_answering_stops_the_chain(self):
        r, body = self.get("/a/../etc", host="answer.localhost")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.getheader("X-Chain-Response"), "t1")  # t2 never ran


if __name__ == "__main__":
    unittest.main()
