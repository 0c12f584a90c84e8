"""Bodies stream through a fixed buffer: 1 GiB each way (256 MiB under sanitizers) with flat proxy memory."""
import hashlib
import http.client
import os
import random
import socket
import subprocess
import unittest

from harness import Backend, Sluice, entry_point, router, service

# A gigabyte in the plain build; a quarter of it under the (slower) sanitizers.
BODY_BYTES = (1 << 28) if os.environ.get("SLUICE_SANITIZE") else (1 << 30)
# Peak resident memory may grow by this much while a gigabyte passes (buffers are 16 KiB).
# Under AddressSanitizer freed memory sits in its quarantine by design: no bound to check.
GROWTH_LIMIT_KIB = None if os.environ.get("SLUICE_SANITIZE") else 64 * 1024


class Streaming(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.backend = Backend("big")
        dyn = router("demo", "Host(`demo.localhost`)", "demo") + service("demo", [cls.backend.url])
        cls.sluice = Sluice(entry_point(), dyn, workers=1)

    @classmethod
    def tearDownClass(cls):
        cls.sluice.stop()
        cls.backend.stop()

    def assert_flat_memory(self, before):
        if GROWTH_LIMIT_KIB is not None:
            self.assertLess(self.sluice.rss_peak_kib() - before, GROWTH_LIMIT_KIB)

    def curl(self, *args):
        return subprocess.run(["curl", "-sS", "--max-time", "240", "-H", "Host: demo.localhost", *args],
                              capture_output=True, text=True, timeout=300)

    def test_large_download(self):
        before = self.sluice.rss_peak_kib()
        r = self.curl("-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                      f"http://127.0.0.1:{self.sluice.port}/bytes/{BODY_BYTES}")
        self.assertEqual(r.stdout, f"200 {BODY_BYTES}", r.stderr)
        self.assert_flat_memory(before)

    def test_large_upload_echoed(self):
        before = self.sluice.rss_peak_kib()
        # A chunked upload of 1 GiB streamed back by /echo, both directions at once.
        with subprocess.Popen(["head", "-c", str(BODY_BYTES), "/dev/zero"], stdout=subprocess.PIPE) as source:
            r = subprocess.run(["curl", "-sS", "--max-time", "240", "-H", "Host: demo.localhost", "-T", "-",
                                "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                                f"http://127.0.0.1:{self.sluice.port}/echo"],
                               stdin=source.stdout, capture_output=True, text=True, timeout=300)
        # Every byte sent came back (curl's upload count includes chunk framing).
        self.assertEqual(r.stdout, f"200 {BODY_BYTES}", r.stderr)
        self.assert_flat_memory(before)

    def test_a_body_of_many_small_chunks_arrives_intact(self):
        # Thousands of chunks of random sizes and bytes in few large writes: one read holds
        # many chunks, each written from where it was read; the echo comes back byte for byte.
        rng = random.Random(7)
        pieces = [rng.randbytes(rng.randint(1, 700)) for _ in range(3000)]
        body = b"".join(pieces)
        framed = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
        with socket.create_connection(("127.0.0.1", self.sluice.port), timeout=30) as s:
            s.sendall(b"POST /echo HTTP/1.1\r\nHost: demo.localhost\r\nTransfer-Encoding: chunked\r\n\r\n" + framed)
            r = http.client.HTTPResponse(s)
            r.begin()
            echoed = r.read()
        self.assertEqual(r.status, 200)
        self.assertEqual(len(echoed), len(body))
        self.assertEqual(hashlib.sha256(echoed).hexdigest(), hashlib.sha256(body).hexdigest())


if __name__ == "__main__":
    unittest.main()
