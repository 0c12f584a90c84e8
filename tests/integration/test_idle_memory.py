"""Idle keep-alive connections cost little memory, and what they cost comes back: a
connection holds its read buffer and relay chunks only while it reads or relays, and one
idle for longer than a moment is parked: no coroutine, no buffer, a few hundred bytes."""
import resource
import socket
import time
import unittest

from harness import Backend, Sluice, entry_point, router, rss_kib, service

CONNECTIONS = 1000
REQUEST = b"GET /bytes/64 HTTP/1.1\r\nHost: idle.localhost\r\n\r\n"


def exchange(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError("closed before answering")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    while len(body) < 64:
        body += sock.recv(65536)


class IdleMemory(unittest.TestCase):
    def test_idle_connections_hold_no_buffers_and_memory_stays_flat(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * CONNECTIONS)), hard))
        backend = Backend("idle")
        self.addCleanup(backend.stop)
        s = Sluice(entry_point(), router("r", "Host(`idle.localhost`)", "s") + service("s", [backend.url]), workers=1)
        self.addCleanup(s.stop)
        warm = socket.create_connection(("127.0.0.1", s.port))
        for _ in range(50):
            warm.sendall(REQUEST)
            exchange(warm)
        warm.close()
        time.sleep(0.3)
        start = rss_kib(s.proc.pid)
        held = []
        for round_ in range(2):
            socks = []
            for _ in range(CONNECTIONS):
                c = socket.create_connection(("127.0.0.1", s.port))
                c.sendall(REQUEST)
                exchange(c)
                socks.append(c)
            time.sleep(0.3)  # every connection idle long enough to be parked
            held.append(rss_kib(s.proc.pid))
            for c in socks:
                c.close()
            time.sleep(0.5)
        per_connection = (held[0] - start) / CONNECTIONS
        # 12.9 KiB when each connection kept a 16 KiB read buffer and its relay chunks; 4.4 KiB
        # when an idle one kept its coroutine frames; about 1 KiB parked.
        self.assertLess(per_connection, 1.6, f"{per_connection:.2f} KiB per idle connection")
        # The second round reuses what the first freed.
        self.assertLess(held[1], held[0] * 1.1, f"RSS {held[0]} KiB, then {held[1]} KiB")


if __name__ == "__main__":
    unittest.main()
