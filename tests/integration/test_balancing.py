"""Round robin through the real binary, across workers, and upstream connection reuse."""
import contextlib
import http.client
import json
import socket
import time
import unittest

from harness import Backend, ScriptedPeer, Sluice, entry_point, read_head, router, service


def get(port, path="/api/", host="demo.localhost", conn=None):
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", path, headers={"Host": host})
    r = c.getresponse()
    body = r.read()
    if conn is None:
        c.close()
    return r, body


class RoundRobin(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.backends = [Backend(f"s{i}") for i in (1, 2, 3)]

    @classmethod
    def tearDownClass(cls):
        for b in cls.backends:
            b.stop()

    def test_new_connections_cycle_over_servers_across_workers(self):
        dyn = router("demo", "Host(`demo.localhost`)", "demo") + service("demo", [b.url for b in self.backends])
        s = Sluice(entry_point(), dyn, workers=2)
        try:
            seen = [json.loads(get(s.port)[1])["instance"] for _ in range(9)]
            self.assertEqual(seen, ["s1", "s2", "s3"] * 3)
        finally:
            s.stop()

    def test_one_keep_alive_client_cycles_too(self):
        dyn = router("demo", "Host(`demo.localhost`)", "demo") + service("demo", [b.url for b in self.backends])
        s = Sluice(entry_point(), dyn, workers=1)
        try:
            c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            seen = [json.loads(get(s.port, conn=c)[1])["instance"] for _ in range(6)]
            c.close()
            self.assertEqual(seen, ["s1", "s2", "s3", "s1", "s2", "s3"])
        finally:
            s.stop()

    def test_weights_interleave_smoothly(self):
        dyn = router("demo", "Host(`demo.localhost`)", "demo") + (
            "[http.services.demo.loadBalancer]\n"
            f'servers = [{{ url = "{self.backends[0].url}", weight = 3 }}, {{ url = "{self.backends[1].url}" }}]\n')
        s = Sluice(entry_point(), dyn, workers=1)
        try:
            seen = [json.loads(get(s.port)[1])["instance"] for _ in range(8)]
            self.assertEqual(seen, ["s1", "s1", "s2", "s1"] * 2)
        finally:
            s.stop()

    def test_roundrobin_is_the_default_and_named_strategy_works(self):
        dyn = router("demo", "Host(`demo.localhost`)", "demo") + service(
            "demo", [b.url for b in self.backends[:2]], strategy="roundrobin")
        s = Sluice(entry_point(), dyn, workers=1)
        try:
            seen = [json.loads(get(s.port)[1])["instance"] for _ in range(4)]
            self.assertEqual(seen, ["s1", "s2", "s1", "s2"])
        finally:
            s.stop()


class ConnectionReuse(unittest.TestCase):
    @contextlib.contextmanager
    def proxied(self, handler):
        """A scripted server behind a one-worker sluice: (sluice, peer)."""
        peer = ScriptedPeer(handler)
        s = Sluice(entry_point(), router("demo", "Host(`demo.localhost`)", "demo") + service("demo", [peer.url]),
                   workers=1)
        try:
            yield s, peer
        finally:
            s.stop()
            peer.close()

    def test_upstream_connections_are_pooled(self):
        def keep_alive_server(conn):
            while True:
                head, _ = read_head(conn)
                if head is None:
                    return
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

        with self.proxied(keep_alive_server) as (s, peer):
            for _ in range(50):
                r, body = get(s.port)
                self.assertEqual((r.status, body), (200, b"ok"))
            # Fifty client connections, one upstream connection reused for all of them.
            self.assertEqual(peer.connections, 1)

    def test_a_connection_the_server_closes_after_its_answer_costs_no_request(self):
        # Said with Connection: close, the connection is not pooled. Unsaid, it is, and the
        # next request, sent on it at once, is sent again on a fresh connection.
        for said in (b"Connection: close\r\n", b""):
            def answer_once(conn):
                head, _ = read_head(conn)
                if head:
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" + said + b"\r\nok")

            with self.proxied(answer_once) as (s, peer):
                for i in range(5):
                    r, body = get(s.port)
                    self.assertEqual((r.status, body), (200, b"ok"), (said, i))
                self.assertEqual(peer.connections, 5)

    def test_a_request_that_cannot_be_resent_never_takes_a_connection_the_server_closed(self):
        # The server closes each connection right after its answer, without saying so. A
        # request whose body is still being read when its server is picked cannot be sent
        # again: it must not be given such a connection, however recently it came back to
        # the pool. (Each request waits for the server's close: one racing the close is the
        # keep-alive race no proxy can win for such a request.)
        def answer_once(conn):
            head, extra = read_head(conn)
            if not head:
                return
            while len(extra) < 5:
                extra += conn.recv(5 - len(extra))
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

        with self.proxied(answer_once) as (s, peer):
            for i in range(10):
                peer.wait_closed(i)
                with socket.create_connection(("127.0.0.1", s.port), timeout=10) as c:
                    c.sendall(b"POST /api/ HTTP/1.1\r\nHost: demo.localhost\r\nContent-Length: 5\r\n\r\n")
                    time.sleep(0.05)  # the head alone first: the body is still to come
                    c.sendall(b"hello")
                    head, body = read_head(c)
                    self.assertTrue(head.startswith(b"HTTP/1.1 200 "), (i, head))
                    while len(body) < 2:
                        body += c.recv(2 - len(body))
                    self.assertEqual(body, b"ok", i)
            self.assertEqual(peer.connections, 10)

    def test_what_an_idle_server_sends_unasked_is_never_taken_for_an_answer(self):
        # After a second idle, the server says 408 and closes (as some servers do): the next
        # request must get its own answer, not that one.
        def impatient_server(conn):
            head, _ = read_head(conn)
            if not head:
                return
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            conn.settimeout(1)
            try:
                if read_head(conn)[0]:
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    return
            except OSError:
                pass
            conn.sendall(b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n")

        with self.proxied(impatient_server) as (s, peer):
            self.assertEqual(get(s.port)[0].status, 200)
            time.sleep(1.5)
            r, body = get(s.port)
            self.assertEqual((r.status, body), (200, b"ok"))
            self.assertEqual(peer.connections, 2)


if __name__ == "__main__":
    unittest.main()
