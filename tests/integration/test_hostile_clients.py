"""Hostile clients: framing tricks, smuggling vectors and header games, through the real binary."""
import json
import time
import unittest

from harness import Backend, ScriptedPeer, Sluice, entry_point, raw_exchange, read_head, router, service


def status_of(response_bytes):
    line = response_bytes.split(b"\r\n", 1)[0]
    return int(line.split()[1]) if line.startswith(b"HTTP/") else None


def body_of(response_bytes):
    return response_bytes.partition(b"\r\n\r\n")[2]


class HostileClients(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.backend = Backend("b1")
        # Records every request head it receives, answers 200 with an empty body.
        cls.seen = []

        def record(conn):
            while True:
                head, _ = read_head(conn)
                if head is None:
                    return
                cls.seen.append(head.decode("latin-1"))
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

        cls.peer = ScriptedPeer(record)
        dyn = (router("demo", "Host(`demo.localhost`)", "demo") + service("demo", [cls.backend.url]) +
               router("peer", "Host(`peer.localhost`)", "peer") + service("peer", [cls.peer.url]))
        # The default read timeout (60 s): a hang would far outlast the test's own limits.
        cls.sluice = Sluice(entry_point(), dyn)
        cls.port = cls.sluice.port

    @classmethod
    def tearDownClass(cls):
        cls.sluice.stop()
        cls.backend.stop()
        cls.peer.close()

    def upstream_headers(self, extra_head):
        """The request headers the demo backend received for GET /api/ with `extra_head`."""
        raw = raw_exchange(self.port, b"GET /api/ HTTP/1.1\r\nHost: demo.localhost\r\nConnection: close\r\n" +
                           extra_head + b"\r\n")
        self.assertEqual(status_of(raw), 200, raw)
        return {k.lower(): v for k, v in json.loads(body_of(raw))["headers"].items()}

    def assert_prompt_400(self, data, pause_after_head=False):
        head, _, body = data.partition(b"\r\n\r\n")
        started = time.monotonic()
        import socket
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            if pause_after_head:
                s.sendall(head + b"\r\n\r\n")
                time.sleep(0.2)
                s.sendall(body)
            else:
                s.sendall(data)
            got = b""
            while True:
                b = s.recv(65536)
                if not b:
                    break  # closed by the proxy
                got += b
        took = time.monotonic() - started
        self.assertEqual(status_of(got), 400, got)
        self.assertLess(took, 3.0, "the proxy took %.1f s to refuse the request" % took)

    def test_chunk_size_line_ending_in_bare_lf_gets_400_and_close_promptly(self):
        req = (b"POST /api/ HTTP/1.1\r\nHost: demo.localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"5\nhello\n0\n\n")
        self.assert_prompt_400(req)
        self.assert_prompt_400(req, pause_after_head=True)

    def test_bare_lf_after_the_last_chunk_gets_400(self):
        self.assert_prompt_400(b"POST /api/ HTTP/1.1\r\nHost: demo.localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                               b"5\r\nhello\r\n0\r\n\n")

    def test_bare_lf_inside_chunk_data_is_data(self):
        raw = raw_exchange(self.port, b"POST /echo HTTP/1.1\r\nHost: demo.localhost\r\nConnection: close\r\n"
                           b"Transfer-Encoding: chunked\r\n\r\n6\r\nab\ncd\n\r\n0\r\n\r\n")
        self.assertEqual(status_of(raw), 200, raw)
        self.assertIn(b"ab\ncd\n", raw)

    def test_h2c_upgrade_never_reaches_the_backend(self):
        for upgrade in (b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nConnection: Upgrade, HTTP2-Settings\r\n",
                        b"Upgrade: h2c\r\nConnection: Upgrade\r\n",
                        b"Upgrade: websocket, h2c\r\nConnection: Upgrade\r\n"):
            with self.subTest(upgrade=upgrade):
                self.seen.clear()
                raw = raw_exchange(self.port, b"GET / HTTP/1.1\r\nHost: peer.localhost\r\n" + upgrade + b"\r\n",
                                   read_until_close=False)
                self.assertEqual(status_of(raw), 200, raw)
                self.assertEqual(len(self.seen), 1)
                head = self.seen[0].lower()
                self.assertNotIn("upgrade", head)
                self.assertNotIn("http2-settings", head)

    def test_websocket_upgrade_still_reaches_the_backend(self):
        self.seen.clear()
        raw_exchange(self.port, b"GET / HTTP/1.1\r\nHost: peer.localhost\r\nUpgrade: websocket\r\n"
                     b"Connection: Upgrade\r\n\r\n", read_until_close=False)
        self.assertIn("upgrade: websocket", self.seen[0].lower())

    def test_client_cannot_remove_the_proxys_forwarding_headers_through_connection(self):
        h = self.upstream_headers(b"Connection: X-Forwarded-For, X-Real-Ip, X-Forwarded-Host\r\n")
        self.assertEqual(h.get("x-forwarded-for"), "127.0.0.1")
        self.assertEqual(h.get("x-real-ip"), "127.0.0.1")
        self.assertEqual(h.get("x-forwarded-host"), "demo.localhost")

    def test_connection_listed_client_headers_are_still_removed(self):
        h = self.upstream_headers(b"Connection: X-Secret\r\nX-Secret: 1\r\n")
        self.assertNotIn("x-secret", h)

    def test_forwarded_header_from_an_untrusted_client_is_removed(self):
        h = self.upstream_headers(b"Forwarded: for=10.0.0.1;proto=https\r\nX-Forwarded-For: 10.0.0.1\r\n")
        self.assertNotIn("forwarded", h)
        self.assertEqual(h.get("x-forwarded-for"), "127.0.0.1")


if __name__ == "__main__":
    unittest.main()
