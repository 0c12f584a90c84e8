"""Every deadline of the data path through the binary, with short timeouts: the client's
idle keep-alive wait, a client that stops reading the response, a client that stops sending
its body, and a server that stops sending its body mid-way. (A head that does not come in
time, 408, and a server that does not answer in time, 504, are in test_data_path.)"""
import socket
import time
import unittest

from harness import Backend, ScriptedPeer, Sluice, entry_point, read_head, router, service

HOST = b"Host: demo.localhost\r\n"


def stalling_server(conn):
    """Answers with half of the body it announces, then holds the connection."""
    head, _ = read_head(conn)
    if head is None:
        return
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"h" * 50)
    time.sleep(6)


def closed_within(sock, seconds):
    """Reads until the peer closes; the bytes, and whether it closed within `seconds`."""
    sock.settimeout(seconds)
    data = b""
    try:
        while True:
            b = sock.recv(65536)
            if not b:
                return data, True
            data += b
    except socket.timeout:
        return data, False
    except ConnectionResetError:
        return data, True


class Timeouts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.backend = Backend("t1")
        cls.stalling = ScriptedPeer(stalling_server)
        dyn = (router("demo", "Host(`demo.localhost`)", "demo") + service("demo", [cls.backend.url]) +
               router("stall", "Host(`stall.localhost`)", "stall") + service("stall", [cls.stalling.url]))
        cls.sluice = Sluice(entry_point(extra="""
            [entryPoints.web.transport.respondingTimeouts]
            readTimeout = "1s"
            writeTimeout = "1s"
            idleTimeout = "1500ms"
            [serversTransport.forwardingTimeouts]
            readTimeout = "1s"
            """), dyn, workers=1)
        cls.port = cls.sluice.port

    @classmethod
    def tearDownClass(cls):
        cls.sluice.stop()
        cls.stalling.close()
        cls.backend.stop()

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.port), timeout=10)

    def get(self, sock, path="/"):
        sock.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\n" + HOST + b"\r\n")
        head, extra = read_head(sock)
        self.assertIsNotNone(head)
        self.assertIn(b" 200 ", head.split(b"\r\n")[0])
        length = int([line.split(b":")[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")][0])
        while len(extra) < length:
            extra += sock.recv(65536)

    def test_an_idle_keep_alive_connection_is_closed_after_the_idle_timeout(self):
        with self.connect() as s:
            self.get(s)
            started = time.monotonic()
            _, closed = closed_within(s, 5)
            self.assertTrue(closed)
            self.assertGreater(time.monotonic() - started, 1.2)

    def test_a_connection_in_use_outlives_each_timeout(self):
        # Requests every 400 ms for 3 s: every deadline is pushed on, none fires.
        with self.connect() as s:
            started = time.monotonic()
            while time.monotonic() - started < 3:
                self.get(s)
                time.sleep(0.4)

    def test_a_client_that_stops_reading_is_dropped_after_the_write_timeout(self):
        total = 256 << 20  # far more than the socket buffers hold
        with self.connect() as s:
            s.sendall(b"GET /bytes/%d HTTP/1.1\r\n" % total + HOST + b"\r\n")
            time.sleep(2.5)  # reads nothing: the proxy's write waits, then times out
            data, closed = closed_within(s, 10)
            self.assertTrue(closed)
            self.assertLess(len(data), total)

    def test_a_client_that_stops_sending_its_body_is_dropped_after_the_read_timeout(self):
        with self.connect() as s:
            s.sendall(b"POST /echo HTTP/1.1\r\n" + HOST + b"Content-Length: 100\r\n\r\n" + b"x" * 10)
            started = time.monotonic()
            _, closed = closed_within(s, 5)
            self.assertTrue(closed)
            self.assertGreater(time.monotonic() - started, 0.8)

    def test_a_server_that_stops_sending_its_body_ends_the_client_connection(self):
        with self.connect() as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: stall.localhost\r\n\r\n")
            started = time.monotonic()
            data, closed = closed_within(s, 5)
            self.assertTrue(closed)
            self.assertGreater(time.monotonic() - started, 0.8)
            head, _, body = data.partition(b"\r\n\r\n")
            self.assertIn(b" 200 ", head)
            self.assertEqual(body, b"h" * 50)  # what came, and no more: the client sees it cut short


if __name__ == "__main__":
    unittest.main()
