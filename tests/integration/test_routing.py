"""Rules and middleware chains through the real binary."""
import http.client
import json
import unittest

from harness import FIXTURES, Backend, Sluice, entry_point, raw_exchange, router, service


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


class TargetsAndRuleForms(unittest.TestCase):
    """Request-target forms, the two path forms and Traefik's spellings of rules."""

    @classmethod
    def setUpClass(cls):
        cls.a, cls.b = Backend("a"), Backend("b")
        dyn = (
            router("spaced", "Path(`/foo bar`)", "a") +
            router("title", "Host(`title.localhost`) && Pathprefix(`/t/`) && METHOD(`GET`)", "a") +
            router("braces", "Host(`q.localhost`) && QueryRegexp(`q`, `{value:(traefik|nginx)}`)", "a") +
            router("star", "Host(`*`) && PathPrefix(`/star/`)", "b") +
            router("absolute", "Host(`abs.example`)", "a") +
            router("unicode", "Host(`caf\u00e9.example`)", "a") +
            router("force", "PathPrefix(`/force/`)", "a", 'middlewares = ["strip-force"]') +
            router("encoded", "PathPrefix(`/enc/`)", "a", 'middlewares = ["strip-enc"]') +
            service("a", [cls.a.url]) + service("b", [cls.b.url]) +
            '[http.middlewares.strip-force.stripPrefix]\nprefixes = ["/force"]\nforceSlash = true\n'
            '[http.middlewares.strip-enc.stripPrefix]\nprefixes = ["/enc"]\n')
        plugins = f'[plugins]\npaths = ["{cls.a.args[0].rsplit("/bin/", 1)[0]}/lib/sluice/plugins"]\n'
        cls.sluice = Sluice(entry_point() + plugins, dyn, workers=1)
        cls.sluice.wait_for(r"configuration \d+ applied")

    @classmethod
    def tearDownClass(cls):
        cls.sluice.stop()
        cls.a.stop()
        cls.b.stop()

    def raw(self, request):
        return raw_exchange(self.sluice.port, request.encode("latin-1"), read_until_close=True)

    def get(self, target, host="x.localhost"):
        reply = self.raw(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
        head, _, body = reply.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        return status, (json.loads(body) if b"application/json" in head else body)

    def test_path_rules_see_decoded_escapes_and_the_upstream_the_normalised_target(self):
        status, body = self.get("/foo%20bar")
        self.assertEqual((status, body["instance"], body["path"]), (200, "a", "/foo%20bar"))
        status, body = self.get("/star/%61%2fb%7b?k=%61;x")
        self.assertEqual((status, body["instance"]), (200, "b"))
        self.assertEqual(body["path"], "/star/a%2Fb%7B?k=%61&x")

    def test_malformed_escapes_are_refused(self):
        for target in ("/star/%", "/star/%4", "/star/%zz"):
            self.assertEqual(self.get(target)[0], 400, target)

    def test_matcher_names_in_title_and_upper_case(self):
        status, body = self.get("/t/x", host="title.localhost")
        self.assertEqual((status, body["instance"]), (200, "a"))

    def test_query_regexp_reads_raw_braces(self):
        self.assertEqual(self.get("/x?q={value:nginx}", host="q.localhost")[1]["instance"], "a")
        self.assertEqual(self.get("/x?q=%7Bvalue:traefik%7D", host="q.localhost")[1]["instance"], "a")
        self.assertEqual(self.get("/x?q=traefik", host="q.localhost")[0], 404)

    def test_host_star_matches_a_request_without_host(self):
        reply = self.raw("GET /star/x HTTP/1.0\r\n\r\n")
        self.assertIn(b" 200 ", reply.split(b"\r\n", 1)[0], reply[:80])
        self.assertIn(b'"instance":"b"', reply.replace(b" ", b""))

    def test_absolute_form_routes_by_its_host_and_forwards_origin_form(self):
        status, body = self.get("http://abs.example/x%2fy?z=1", host="other.example")
        self.assertEqual((status, body["instance"], body["path"]), (200, "a", "/x%2Fy?z=1"))
        self.assertEqual(body["headers"]["Host"], "abs.example")
        self.assertEqual(body["headers"]["X-Forwarded-Host"], "abs.example")
        # An empty URI host leaves the Host header in charge.
        status, body = self.get("http://@/star/e", host="whatever")
        self.assertEqual((status, body["instance"], body["path"]), (200, "b", "/star/e"))

    def test_asterisk_and_connect(self):
        self.assertTrue(self.raw("OPTIONS * HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").startswith(b"HTTP/1.1 200"))
        self.assertTrue(self.raw("GET * HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").startswith(b"HTTP/1.1 400"))
        reply = self.raw("CONNECT abs.example:443 HTTP/1.1\r\nHost: abs.example:443\r\n\r\n")
        self.assertTrue(reply.startswith(b"HTTP/1.1 501"), reply[:80])

    def test_non_ascii_host_rule_disables_its_router(self):
        self.sluice.wait_for(r"router unicode.* disabled: .*non-ASCII characters are not allowed")
        self.assertEqual(self.get("/", host="xn--caf-dma.example")[0], 404)

    def test_strip_prefix_accepts_force_slash_and_strips_by_routing_characters(self):
        self.sluice.wait_for(r"strip-force.*forceSlash is deprecated")
        status, body = self.get("/force/x")
        self.assertEqual((status, body["path"]), (200, "/x"))
        status, body = self.get("/%65nc/a%2Fb%20c")
        self.assertEqual((status, body["path"], body["headers"]["X-Forwarded-Prefix"]), (200, "/a%2Fb%20c", "/enc"))


if __name__ == "__main__":
    unittest.main()
