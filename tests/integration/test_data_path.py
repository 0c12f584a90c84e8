"""The HTTP data path through the real binary: status codes, framing, headers, tunnels."""
import http.client
import json
import socket
import threading
import time
import unittest

from harness import (Backend, ScriptedPeer, Sluice, entry_point, free_port, raw_exchange, read_head, router,
                     service)

HOST = b"Host: demo.localhost\r\n"


def dechunk(body):
    out = b""
    while True:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            return out
        out, body = out + body[:size], body[size + 2:]


def status_of(response_bytes):
    line = response_bytes.split(b"\r\n", 1)[0]
    return int(line.split()[1]) if line.startswith(b"HTTP/") else None


class DataPath(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.backend = Backend("b1")
        cls.dead_port = free_port()
        dyn = (router("demo", "Host(`demo.localhost`)", "demo") + service("demo", [cls.backend.url]) +
               router("empty", "Host(`empty.localhost`)", "empty") + service("empty", []) +
               router("dead", "Host(`dead.localhost`)", "dead") +
               service("dead", [f"http://127.0.0.1:{cls.dead_port}"]))
        cls.sluice = Sluice(entry_point(extra="""
            [entryPoints.web.transport.respondingTimeouts]
            readTimeout = "1s"
            [entryPoints.web.http]
            maxHeaderBytes = 4096
            [serversTransport.forwardingTimeouts]
            responseHeaderTimeout = "500ms"
            """), dyn, workers=2)
        cls.port = cls.sluice.port

    @classmethod
    def tearDownClass(cls):
        cls.sluice.stop()
        cls.backend.stop()

    def request(self, method="GET", path="/api/", host="demo.localhost", body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        c.request(method, path, body=body, headers={"Host": host, **(headers or {})})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r, data

    def test_no_route_is_404(self):
        r, body = self.request(host="nothing.localhost")
        self.assertEqual(r.status, 404)
        self.assertEqual(body, b"404 page not found\n")

    def test_the_proxys_own_answer_to_head_has_no_body(self):
        # A HEAD and a GET on one connection: the first answer is a head alone (with the
        # length a GET gets), so the second one starts right after it.
        out = raw_exchange(self.port, b"HEAD /x HTTP/1.1\r\nHost: nothing.localhost\r\n\r\n"
                                      b"GET /x HTTP/1.1\r\nHost: nothing.localhost\r\nConnection: close\r\n\r\n")
        first, _, rest = out.partition(b"\r\n\r\n")
        self.assertEqual(status_of(first), 404)
        self.assertIn(b"content-length: 19", first.lower())
        self.assertTrue(rest.startswith(b"HTTP/1.1 404 "), out)
        self.assertEqual(out.count(b"404 page not found\n"), 1)

    def test_no_server_is_503(self):
        r, body = self.request(host="empty.localhost")
        self.assertEqual(r.status, 503)
        self.assertEqual(body, b"no available server\n")

    def test_refused_upstream_is_502(self):
        r, _ = self.request(host="dead.localhost")
        self.assertEqual(r.status, 502)

    def test_slow_upstream_is_504(self):
        started = time.monotonic()
        r, _ = self.request(path="/delay/3000")
        self.assertEqual(r.status, 504)
        self.assertLess(time.monotonic() - started, 2.5)

    def test_malformed_request_is_400_and_closes(self):
        out = raw_exchange(self.port, b"GARBAGE\r\n\r\n")
        self.assertEqual(status_of(out), 400)

    def test_bad_percent_encoding_is_400(self):
        out = raw_exchange(self.port, b"GET /a%zz HTTP/1.1\r\n" + HOST + b"\r\n")
        self.assertEqual(status_of(out), 400)

    def test_missing_host_is_400(self):
        self.assertEqual(status_of(raw_exchange(self.port, b"GET / HTTP/1.1\r\n\r\n")), 400)

    def test_oversized_head_is_431(self):
        out = raw_exchange(self.port, b"GET / HTTP/1.1\r\n" + HOST + b"X-Big: " + b"a" * 8000 + b"\r\n\r\n")
        self.assertEqual(status_of(out), 431)

    def test_too_many_header_fields_is_431(self):
        fields = b"".join(b"X-F%d: 1\r\n" % i for i in range(150))
        self.assertEqual(status_of(raw_exchange(self.port, b"GET / HTTP/1.1\r\n" + HOST + fields + b"\r\n")), 431)

    def test_slow_head_is_408(self):
        started = time.monotonic()
        out = raw_exchange(self.port, b"GET / HTTP/1.1\r\nHost: demo", timeout=5)
        self.assertEqual(status_of(out), 408)
        self.assertLess(time.monotonic() - started, 4)

    def test_smuggling_with_length_and_chunked_is_refused(self):
        attack = (b"POST /api/ HTTP/1.1\r\n" + HOST + b"Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n"
                  b"0\r\n\r\nGET /api/smuggled HTTP/1.1\r\n" + HOST + b"\r\n")
        out = raw_exchange(self.port, attack)
        self.assertEqual(status_of(out), 400)
        self.assertEqual(out.count(b"HTTP/1.1"), 1, out)  # the connection closed: nothing smuggled

    def test_duplicate_content_length_is_refused(self):
        out = raw_exchange(self.port, b"POST /echo HTTP/1.1\r\n" + HOST +
                           b"Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc")
        self.assertEqual(status_of(out), 400)

    def test_unknown_transfer_coding_is_refused(self):
        out = raw_exchange(self.port, b"POST /echo HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: gzip\r\n\r\nabc")
        self.assertEqual(status_of(out), 400)

    def test_pipelined_requests_are_answered_in_order(self):
        reqs = b"".join(b"GET /api/%d HTTP/1.1\r\n" % i + HOST + b"\r\n" for i in range(5))
        reqs += b"GET /api/last HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n"
        out = raw_exchange(self.port, reqs)
        paths = [json.loads(part.split(b"\r\n\r\n", 1)[1].split(b"\n", 1)[0])["path"]
                 for part in out.split(b"HTTP/1.1 200 OK")[1:]]
        self.assertEqual(paths, [f"/api/{i}" for i in range(5)] + ["/api/last"])

    def test_chunked_request_body_reaches_the_backend(self):
        out = raw_exchange(self.port, b"POST /echo HTTP/1.1\r\n" + HOST +
                           b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                           b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        self.assertEqual(status_of(out), 200)
        head, _, body = out.partition(b"\r\n\r\n")
        self.assertIn(b"transfer-encoding: chunked", head.lower())
        # Chunks that arrive together may leave as one: the framing is per hop, the bytes are not.
        self.assertEqual(dechunk(body), b"hello world")
        self.assertTrue(body.endswith(b"0\r\n\r\n"))

    def test_head_has_length_and_no_body(self):
        out = raw_exchange(self.port, b"HEAD / HTTP/1.1\r\n" + HOST + b"\r\nGET /health HTTP/1.1\r\n" + HOST +
                           b"Connection: close\r\n\r\n")
        first, _, rest = out.partition(b"\r\n\r\n")
        self.assertIn(b"Content-Length:", first)
        self.assertTrue(rest.startswith(b"HTTP/1.1 200"), rest[:50])
        self.assertTrue(rest.endswith(b"ok\n"))

    def test_expect_continue_gets_100_then_the_response(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"POST /echo HTTP/1.1\r\n" + HOST + b"Content-Length: 4\r\nExpect: 100-continue\r\n\r\n")
            interim = b""
            while b"\r\n\r\n" not in interim:  # the body is sent only once the proxy asks for it
                interim += s.recv(1024)
            self.assertTrue(interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"), interim)
            s.sendall(b"ping")
            rest = interim.split(b"\r\n\r\n", 1)[1]
            while not rest.endswith(b"ping"):
                rest += s.recv(1024)
            self.assertEqual(status_of(rest), 200)

    def test_forwarded_headers_and_hop_by_hop(self):
        r, body = self.request(headers={"X-Forwarded-For": "6.6.6.6", "Connection": "keep-alive, X-Secret",
                                        "X-Secret": "s", "Keep-Alive": "timeout=5", "X-Kept": "k"})
        seen = {k.lower(): v for k, v in json.loads(body)["headers"].items()}
        self.assertEqual(seen["x-forwarded-for"], "127.0.0.1")
        self.assertEqual(seen["x-real-ip"], "127.0.0.1")
        self.assertEqual(seen["x-forwarded-proto"], "http")
        self.assertEqual(seen["x-forwarded-host"], "demo.localhost")
        self.assertEqual(seen["host"], "demo.localhost")
        self.assertEqual(seen["x-kept"], "k")
        for gone in ("x-secret", "keep-alive", "connection"):
            self.assertNotIn(gone, seen)

    def test_http10_client_gets_a_close_delimited_answer(self):
        out = raw_exchange(self.port, b"GET /api/ HTTP/1.0\r\n" + HOST + b"\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.0 200"), out[:40])
        self.assertNotIn(b"chunked", out.lower())


class UpstreamBehaviour(unittest.TestCase):
    """Scripted upstreams for what the demo backend never does."""

    def with_peer(self, handler):
        peer = ScriptedPeer(handler)
        dyn = router("demo", "Host(`demo.localhost`)", "demo") + service("demo", [peer.url])
        s = Sluice(entry_point(), dyn, workers=1)
        self.addCleanup(peer.close)
        self.addCleanup(s.stop)
        return s, peer

    def test_204_and_304_have_no_body_and_keep_the_connection(self):
        def handler(conn):
            for status in (b"204 No Content", b"304 Not Modified"):
                head, _ = read_head(conn)
                if not head:
                    return
                conn.sendall(b"HTTP/1.1 " + status + b"\r\nETag: x\r\n\r\n")

        s, _ = self.with_peer(handler)
        out = raw_exchange(s.port, b"GET / HTTP/1.1\r\n" + HOST + b"\r\nGET / HTTP/1.1\r\n" + HOST +
                           b"Connection: close\r\n\r\n")
        self.assertEqual(out.count(b"HTTP/1.1 204"), 1)
        self.assertEqual(out.count(b"HTTP/1.1 304"), 1)
        self.assertNotIn(b"chunked", out.lower())

    def test_close_delimited_upstream_body_is_rechunked(self):
        def handler(conn):
            read_head(conn)
            conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nstreamed until close")

        s, _ = self.with_peer(handler)
        out = raw_exchange(s.port, b"GET / HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n")
        head, _, body = out.partition(b"\r\n\r\n")
        self.assertIn(b"transfer-encoding: chunked", head.lower())
        self.assertIn(b"streamed until close", body)
        self.assertTrue(body.endswith(b"0\r\n\r\n"))

    def test_upstream_breaking_the_protocol_is_502(self):
        def handler(conn):
            read_head(conn)
            conn.sendall(b"NOT HTTP AT ALL\r\n\r\n")

        s, _ = self.with_peer(handler)
        self.assertEqual(status_of(raw_exchange(s.port, b"GET / HTTP/1.1\r\n" + HOST + b"\r\n")), 502)

    def test_upstream_closing_before_answering_is_502(self):
        def handler(conn):
            read_head(conn)

        s, _ = self.with_peer(handler)
        self.assertEqual(status_of(raw_exchange(s.port, b"GET / HTTP/1.1\r\n" + HOST + b"\r\n")), 502)

    def test_upstream_dying_mid_body_closes_the_client(self):
        def handler(conn):
            read_head(conn)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")

        s, _ = self.with_peer(handler)
        out = raw_exchange(s.port, b"GET / HTTP/1.1\r\n" + HOST + b"\r\n")
        self.assertEqual(status_of(out), 200)
        self.assertTrue(out.endswith(b"only part"))  # then the connection closed: the client sees it short

    def test_websocket_upgrade_becomes_a_tunnel(self):
        def handler(conn):
            head, extra = read_head(conn)
            if b"upgrade: websocket" not in head.lower():
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                return
            conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
            data = extra
            while True:
                if data:
                    conn.sendall(data.upper())
                data = conn.recv(1024)
                if not data:
                    return

        s, _ = self.with_peer(handler)
        with socket.create_connection(("127.0.0.1", s.port), timeout=5) as c:
            c.sendall(b"GET /ws HTTP/1.1\r\n" + HOST + b"Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
            head = b""
            while b"\r\n\r\n" not in head:
                head += c.recv(1024)
            self.assertEqual(status_of(head), 101)
            self.assertIn(b"upgrade: websocket", head.lower())
            for word in (b"hello", b"tunnel"):
                c.sendall(word)
                self.assertEqual(c.recv(1024), word.upper())


if __name__ == "__main__":
    unittest.main()
