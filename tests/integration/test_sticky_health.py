"""Sticky sessions, active and passive health checks, and retries, through the real binary."""
import http.client
import json
import tempfile
import time
import unittest

from harness import (BUILD, FIXTURES, SLUICE, Backend, Load, ScriptedPeer, Sluice, entry_point, free_port, read_head,
                     router, run, service, wait_until)

HOST = "demo.localhost"


def request(port, path="/api/", cookie=None, method="GET"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Host": HOST}
    if cookie:
        headers["Cookie"] = cookie
    c.request(method, path, headers=headers)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, r.getheader("Set-Cookie"), (json.loads(body) if r.status == 200 and body.startswith(b"{") else body)


def answering(received):
    """A peer handler that records each request's method and answers 200 "ok"."""
    def answer(conn):
        head, _ = read_head(conn)
        if head:
            received.append(head.split(b" ")[0])
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
    return answer


def http_get(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", path)
    body = c.getresponse().read()
    c.close()
    return body


def backend_get(backend, path):
    c = http.client.HTTPConnection("127.0.0.1", backend.port, timeout=5)
    c.request("GET", path)
    c.getresponse().read()
    c.close()


def lb(urls, extra=""):
    servers = ", ".join(f'{{ url = "{u}" }}' for u in urls)
    return f"[http.services.demo.loadBalancer]\nservers = [{servers}]\n{extra}\n"


STICKY = '[http.services.demo.loadBalancer.sticky.cookie]\nname = "pin"\nhttpOnly = true\n'


def health(interval="200ms", down=1, up=1):
    return (f'[http.services.demo.loadBalancer.healthCheck]\npath = "/health"\ninterval = "{interval}"\n'
            f'timeout = "500ms"\nunhealthyThreshold = {down}\nhealthyThreshold = {up}\n')


class Sticky(unittest.TestCase):
    def start(self, backends, extra):
        s = Sluice(entry_point(), router("demo", f"Host(`{HOST}`)", "demo") + lb([b.url for b in backends], extra),
                   workers=2)
        self.addCleanup(s.stop)
        return s

    def test_a_pin_holds_over_100_requests(self):
        backends = [Backend(f"p{i}") for i in range(3)]
        for b in backends:
            self.addCleanup(b.stop)
        s = self.start(backends, STICKY)
        status, set_cookie, body = request(s.port)
        self.assertEqual(status, 200)
        self.assertRegex(set_cookie, r"^pin=[0-9a-f]{16}; Path=/; HttpOnly$")
        pin, pinned = set_cookie.split(";")[0], body["instance"]
        for _ in range(100):
            status, again, body = request(s.port, cookie=pin)
            self.assertEqual((status, again, body["instance"]), (200, None, pinned))
        # Without the cookie, round robin goes on underneath.
        seen = {request(s.port)[2]["instance"] for _ in range(6)}
        self.assertEqual(len(seen), 3)

    def test_killing_the_pinned_backend_repins_without_a_client_error(self):
        backends = [Backend(f"k{i}") for i in range(3)]
        for b in backends:
            self.addCleanup(b.stop)
        s = self.start(backends, STICKY + health())
        _, set_cookie, body = request(s.port)
        pin, pinned = set_cookie.split(";")[0], body["instance"]
        victim = next(b for b in backends if b.name == pinned)
        victim.stop()
        # At once (a retry on another server) and after health notices: never an error.
        for _ in range(2):
            status, new_cookie, body = request(s.port, cookie=pin)
            self.assertEqual(status, 200)
            self.assertNotEqual(body["instance"], pinned)
            self.assertIsNotNone(new_cookie)
        s.wait_for(rf"server {victim.url} of service demo@file is DOWN")
        status, new_cookie, body = request(s.port, cookie=pin)
        self.assertEqual(status, 200)
        new_pin = new_cookie.split(";")[0]
        self.assertNotEqual(new_pin, pin)
        repinned = body["instance"]
        for _ in range(10):
            self.assertEqual(request(s.port, cookie=new_pin)[1:], (None, request(s.port, cookie=new_pin)[2]))
            self.assertEqual(request(s.port, cookie=new_pin)[2]["instance"], repinned)

    def test_session_demo_needs_stickiness(self):
        backends = [Backend(f"d{i}") for i in range(2)]
        for b in backends:
            self.addCleanup(b.stop)
        plain = self.start(backends, "")
        _, session, _ = request(plain.port, "/login?user=alice")
        cookie = session.split(";")[0]
        users = [request(plain.port, "/whoami", cookie=cookie)[2]["user"] for _ in range(4)]
        self.assertIn(None, users)  # the other instance does not know the session
        self.assertIn("alice", users)

        sticky = self.start(backends, STICKY)
        _, set_cookie, _ = request(sticky.port, "/login?user=bob")
        cookies = "; ".join(c.split(";")[0] for c in set_cookie.split(", "))
        users = {request(sticky.port, "/whoami", cookie=cookies)[2]["user"] for _ in range(10)}
        self.assertEqual(users, {"bob"})


class Wrappers(unittest.TestCase):
    """Sticky sessions are one wrapping balancer among others: the core knows none by name."""

    # The shipped plugins load first, so the fixture's "wrapper" wraps sticky, which wraps
    # the strategy.
    PLUGINS = f'[plugins]\npaths = ["{BUILD}/lib/sluice/plugins", "{FIXTURES}"]\n'

    def test_wrappers_nest_in_loading_order_over_the_strategy(self):
        backends = [Backend(f"w{i}") for i in range(2)]
        for b in backends:
            self.addCleanup(b.stop)
        api_port = free_port()
        s = Sluice(entry_point() + self.PLUGINS + f'[api]\naddress = "127.0.0.1:{api_port}"\n',
                   router("demo", f"Host(`{HOST}`)", "demo") + lb([b.url for b in backends], "") + STICKY +
                   '[http.services.demo.loadBalancer.wrapper]\ntag = "outer"\n', workers=1)
        self.addCleanup(s.stop)
        c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        c.request("GET", "/api/", headers={"Host": HOST})
        r = c.getresponse()
        pinned = json.loads(r.read())["instance"]
        self.assertEqual(r.getheader("X-Wrapped-By"), "outer")
        pin = r.getheader("Set-Cookie").split(";")[0]
        self.assertTrue(pin.startswith("pin="), pin)
        for _ in range(5):
            self.assertEqual(request(s.port, cookie=pin)[2]["instance"], pinned)
        c.close()
        svc = json.loads(http_get(api_port, "/api/http/services/demo@file"))
        self.assertEqual(svc["loadBalancer"]["wrappers"], ["sticky", "wrapper"])
        self.assertEqual(svc["loadBalancer"]["sticky"], {"cookie": {"name": "pin", "httpOnly": True}})
        self.assertEqual(svc["loadBalancer"]["wrapper"], {"tag": "outer"})

    def check(self, dynamic):
        """`sluice check` of a file holding these dynamic tables: (its path, the result)."""
        folder = tempfile.TemporaryDirectory(prefix="sluice-check-")
        self.addCleanup(folder.cleanup)
        path = f"{folder.name}/sluice.toml"
        with open(path, "w") as f:
            f.write(entry_point() + self.PLUGINS + dynamic)
        return path, run([SLUICE, "check", "--config", path])

    def test_a_wrapper_is_not_a_strategy_and_its_errors_name_the_file_line(self):
        path, r = self.check('[http.services.a.loadBalancer]\nstrategy = "sticky"\nservers = []\n'
                             '[http.services.b.loadBalancer]\nservers = []\n'
                             '[http.services.b.loadBalancer.sticky.cookie]\nname = "x"\nmaxAge = "long"\n')
        self.assertEqual(r.returncode, 1)
        self.assertIn('http.services.a.loadBalancer.strategy: "sticky" wraps a strategy rather than being one',
                      r.stderr)
        # The line of maxAge in the file: entry point (3 lines), [plugins] (2), service a (3), b (2),
        # the cookie table and its name.
        self.assertIn(f"{path}:13: http.services.b.loadBalancer.sticky.cookie.maxAge: expected an integer, "
                      "found a string", r.stderr)


class HealthChecks(unittest.TestCase):
    def setUp(self):
        self.backends = [Backend(f"h{i}") for i in range(2)]
        for b in self.backends:
            self.addCleanup(b.stop)

    def test_failing_server_leaves_within_interval_times_threshold_and_returns(self):
        s = Sluice(entry_point(), router("demo", f"Host(`{HOST}`)", "demo") +
                   lb([b.url for b in self.backends], health(interval="200ms", down=2, up=2)), workers=1)
        self.addCleanup(s.stop)
        sick = self.backends[1]
        backend_get(sick, "/health/set/500")
        started = time.monotonic()
        s.wait_for(rf"server {sick.url} of service demo@file is DOWN: status 500 \(2 failed probe")
        self.assertLess(time.monotonic() - started, 0.2 * 2 + 0.5)
        self.assertEqual({request(s.port)[2]["instance"] for _ in range(10)}, {"h0"})
        backend_get(sick, "/health/set/200")
        self.assertTrue(wait_until(lambda: "h1" in {request(s.port)[2]["instance"] for _ in range(4)}, 3))
        s.wait_for(rf"server {sick.url} of service demo@file is UP again")

    def test_a_verdict_survives_a_reload(self):
        dyn = router("demo", f"Host(`{HOST}`)", "demo") + lb([b.url for b in self.backends], health(interval="30s"))
        self.backends[1].stop()  # down from the first probe, which runs at once
        s = Sluice(entry_point(), dyn, workers=1)
        self.addCleanup(s.stop)
        s.wait_for(rf"server {self.backends[1].url} of service demo@file is DOWN")
        mark = len(s.lines)
        s.write_dynamic(dyn + router("other", "Host(`other.localhost`)", "demo"))
        s.wait_for(r"configuration 2 applied", start=mark)
        # Traefik forgets and sends traffic to the dead server; here the verdict holds.
        self.assertEqual({request(s.port)[2]["instance"] for _ in range(6)}, {"h0"})


class Retries(unittest.TestCase):
    def test_backend_killed_under_load_loses_no_get(self):
        backends = [Backend(f"r{i}") for i in range(3)]
        for b in backends:
            self.addCleanup(b.stop)
        s = Sluice(entry_point(), router("demo", f"Host(`{HOST}`)", "demo") +
                   lb([b.url for b in backends], 'retries = 2\n[http.services.demo.loadBalancer.passiveHealthCheck]\n'
                                                 'maxFailedAttempts = 1\nfailureWindow = "5s"\n'), workers=2)
        self.addCleanup(s.stop)
        def one():
            status, _, body = request(s.port)
            return status, body["instance"] if status == 200 else None

        with Load(one, limit=10) as load:
            time.sleep(1.0)
            backends[1].proc.kill()  # abruptly, mid-load
            killed_at = len(load.served)
            time.sleep(1.5)
        failures, served = load.failures, load.served
        self.assertEqual(failures, [])
        self.assertGreater(len(served) - killed_at, 50)
        self.assertNotIn("r1", served[killed_at + 20:])  # ejected after its failure
        s.wait_for(r"ejected for 5000 ms")

    def test_non_idempotent_requests_are_never_replayed(self):
        def hang_up(conn):
            read_head(conn)  # takes the request, then closes without a word

        received = []
        first, second = ScriptedPeer(hang_up), ScriptedPeer(answering(received))
        self.addCleanup(first.close)
        self.addCleanup(second.close)
        # Weights keep the order predictable: the first request goes to `first`.
        dyn = router("demo", f"Host(`{HOST}`)", "demo") + (
            "[http.services.demo.loadBalancer]\n"
            f'servers = [{{ url = "{first.url}", weight = 1 }}, {{ url = "{second.url}", weight = 1 }}]\n')
        s = Sluice(entry_point(), dyn, workers=1)
        self.addCleanup(s.stop)
        status, _, _ = request(s.port, "/", method="POST")
        self.assertEqual(status, 502)
        self.assertEqual(received, [])  # never replayed on the other server
        status, _, body = request(s.port, "/")  # round robin: `first` again for this GET...
        self.assertEqual((status, body), (200, b"ok"))  # ...which was retried on `second`
        self.assertEqual(received, [b"GET"])

    def test_any_request_goes_to_the_next_server_when_one_cannot_be_reached(self):
        received = []
        live = ScriptedPeer(answering(received))
        self.addCleanup(live.close)
        dead = [f"http://127.0.0.1:{free_port()}" for _ in range(3)]  # refused: nothing reaches them
        dyn = router("demo", f"Host(`{HOST}`)", "demo") + service("demo", dead + [live.url])
        s = Sluice(entry_point(), dyn, workers=1)
        self.addCleanup(s.stop)
        # Three unreachable servers in a row, more than `retries`: a POST still lands once.
        for _ in range(4):
            status, _, body = request(s.port, "/", method="POST")
            self.assertEqual((status, body), (200, b"ok"))
        self.assertEqual(received, [b"POST"] * 4)


if __name__ == "__main__":
    unittest.main()
