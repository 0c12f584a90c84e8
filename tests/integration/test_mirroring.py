"""Mirroring in Traefik's shape, through the real binary: every request is answered by the main
service, and copied to each mirror for its percentage of requests (bodies too, up to
maxBodySize); the mirrors' answers are discarded and never keep the client waiting."""
import http.client
import json
import socket
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness import Sluice, entry_point, free_port, router, wait_until


class Recorder:
    """A loopback HTTP server that records each request (method, path, headers, body) and
    answers with its name after `delay` seconds."""

    def __init__(self, name, delay=0.0):
        self.name, self.delay = name, delay
        self.requests = []
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_any(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    body = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        body += self.rfile.read(size)
                        self.rfile.readline()
                        if size == 0:
                            break
                else:
                    body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    outer.requests.append((self.command, self.path, dict(self.headers), body))
                time.sleep(outer.delay)
                out = outer.name.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(out)))
                self.send_header("X-Instance", outer.name)
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = do_PUT = handle_any

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def lb(name, url):
    return f'[http.services.{name}.loadBalancer]\nservers = [{{ url = "{url}" }}]\n'


def request(port, method="GET", path="/", body=None, timeout=10):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request(method, path, body=body, headers={"Host": "app.localhost"})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def metric(api_port, name, **labels):
    c = http.client.HTTPConnection("127.0.0.1", api_port, timeout=10)
    c.request("GET", "/metrics")
    text = c.getresponse().read().decode()
    c.close()
    total = 0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


class Mirroring(unittest.TestCase):
    def setUp(self):
        self.recorders = []

    def tearDown(self):
        for r in self.recorders:
            r.stop()

    def recorder(self, name, delay=0.0):
        r = Recorder(name, delay)
        self.recorders.append(r)
        return r

    def test_mirrors_get_their_percentage_of_requests_with_head_and_body(self):
        main, everything, half, none = (self.recorder(n) for n in ("main", "all", "half", "none"))
        dyn = (router("app", "Host(`app.localhost`)", "shadowed") + lb("main", main.url) + lb("all", everything.url) +
               lb("half", half.url) + lb("none", none.url) +
               '[http.services.shadowed.mirroring]\nservice = "main"\n'
               'mirrors = [{ name = "all", percent = 100 }, { name = "half", percent = 50 }, { name = "none" }]\n')
        api_port = free_port()
        s = Sluice(entry_point() + f'[api]\naddress = "127.0.0.1:{api_port}"\n', dyn, workers=1)
        try:
            for i in range(20):
                self.assertEqual(request(s.port, "POST", f"/submit/{i}", body=f"payload-{i}".encode()), (200, b"main"))
            # A chunked upload reaches the mirror whole, framed by its length.
            with socket.create_connection(("127.0.0.1", s.port), timeout=10) as c:
                c.sendall(b"PUT /chunked HTTP/1.1\r\nHost: app.localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                          b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
                self.assertIn(b" 200 ", c.recv(4096))
            self.assertTrue(wait_until(lambda: len(everything.requests) == 21 and len(half.requests) >= 11))
            time.sleep(0.3)  # any copy too many would have come by now
            self.assertEqual(len(main.requests), 21)
            self.assertEqual(len(everything.requests), 21)
            # Exactly one request in two, the first of each pair (as Traefik counts), not a coin toss.
            self.assertEqual(len(half.requests), 11)
            self.assertEqual(none.requests, [])  # Traefik's default percentage is 0
            sent = {(m, p, b) for m, p, _, b in main.requests}
            self.assertEqual({(m, p, b) for m, p, _, b in everything.requests}, sent)
            self.assertLessEqual({(m, p, b) for m, p, _, b in half.requests}, sent)
            chunked = next(r for r in everything.requests if r[1] == "/chunked")
            self.assertEqual(chunked[3], b"hello world")
            self.assertEqual(chunked[2].get("Content-Length"), "11")
            self.assertNotIn("Transfer-Encoding", chunked[2])
            # The mirror sees the request as the main service does: Host and forwarding headers.
            first_main = next(h for _, p, h, _ in main.requests if p == "/submit/0")
            first_copy = next(h for _, p, h, _ in everything.requests if p == "/submit/0")
            for field in ("Host", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-Ip"):
                self.assertEqual(first_copy.get(field), first_main.get(field), field)

            c = http.client.HTTPConnection("127.0.0.1", api_port, timeout=10)
            c.request("GET", "/api/http/services/shadowed@file")
            svc = json.loads(c.getresponse().read())
            c.close()
            self.assertEqual(svc["type"], "mirroring")
            self.assertEqual(svc["mirroring"]["service"], "main@file")
            self.assertEqual(svc["mirroring"]["mirrors"], [{"name": "all@file", "percent": 100},
                                                           {"name": "half@file", "percent": 50},
                                                           {"name": "none@file", "percent": 0}])
            self.assertEqual(svc["mirroring"]["maxBodySize"], -1)
            # Copies count for the mirror service, not for the entry point or the router.
            self.assertEqual(metric(api_port, "sluice_service_requests_total", service="half@file", code="200"), 11)
            self.assertEqual(metric(api_port, "sluice_entrypoint_requests_total", entrypoint="web"), 21)
            self.assertEqual(metric(api_port, "sluice_router_requests_total", router="app@file"), 21)
        finally:
            s.stop()

    def test_a_slow_or_dead_mirror_never_keeps_the_client_waiting(self):
        main, slow = self.recorder("main"), self.recorder("slow", delay=3.0)
        dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
        dyn = (router("app", "Host(`app.localhost`)", "shadowed") + lb("main", main.url) + lb("slow", slow.url) +
               lb("dead", dead) +
               '[http.services.shadowed.mirroring]\nservice = "main"\n'
               'mirrors = [{ name = "slow", percent = 100 }, { name = "dead", percent = 100 }]\n')
        api_port = free_port()
        s = Sluice(entry_point() + f'[api]\naddress = "127.0.0.1:{api_port}"\n', dyn, workers=1)
        try:
            for i in range(5):
                began = time.monotonic()
                self.assertEqual(request(s.port, path=f"/{i}"), (200, b"main"))
                # The mirror answers after 3 s; the client has its answer long before.
                self.assertLess(time.monotonic() - began, 1.5)
            self.assertTrue(wait_until(lambda: len(slow.requests) == 5, timeout=5))
            # Each copy goes to the slow mirror, then the dead one: the refusals are counted.
            self.assertTrue(wait_until(
                lambda: metric(api_port, "sluice_service_requests_total", service="dead@file", code="502") == 5, timeout=20))
            self.assertTrue(wait_until(
                lambda: metric(api_port, "sluice_service_requests_total", service="slow@file", code="200") == 5, timeout=20))
        finally:
            s.stop()

    def test_bodies_over_max_body_size_and_mirror_body_false(self):
        main, limited, headless = self.recorder("main"), self.recorder("limited"), self.recorder("headless")
        dyn = (router("app", "Host(`app.localhost`)", "shadowed") + lb("main", main.url) + lb("limited", limited.url) +
               router("nobody", "Host(`app.localhost`) && PathPrefix(`/nobody`)", "bodiless") +
               lb("headless", headless.url) +
               '[http.services.shadowed.mirroring]\nservice = "main"\nmaxBodySize = 10\n'
               'mirrors = [{ name = "limited", percent = 100 }]\n'
               '[http.services.bodiless.mirroring]\nservice = "main"\nmirrorBody = false\n'
               'mirrors = [{ name = "headless", percent = 100 }]\n')
        s = Sluice(entry_point(), dyn, workers=1)
        try:
            for body in (b"12345", b"1234567890", b"12345678901", b"x" * 100_000):
                self.assertEqual(request(s.port, "POST", f"/n{len(body)}", body=body), (200, b"main"))
            self.assertEqual(request(s.port, "POST", "/nobody", body=b"secret"), (200, b"main"))
            self.assertTrue(wait_until(lambda: len(limited.requests) == 2 and len(headless.requests) == 1))
            time.sleep(0.3)
            # The main service got every body whole; the mirror those of at most 10 bytes (Traefik's rule).
            self.assertEqual(sorted(len(b) for _, _, _, b in main.requests), [5, 6, 10, 11, 100_000])
            self.assertEqual(sorted(b for _, _, _, b in limited.requests), [b"12345", b"1234567890"])
            method, path, headers, body = headless.requests[0]
            self.assertEqual((method, path, body, headers.get("Content-Length")), ("POST", "/nobody", b"", "0"))
        finally:
            s.stop()


if __name__ == "__main__":
    unittest.main()
