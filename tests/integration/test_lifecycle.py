"""Start-up errors and graceful shutdown of the real binary."""
import http.client
import json
import signal
import socket
import tempfile
import threading
import time
import unittest

from harness import SLUICE, Backend, Sluice, entry_point, router, run, service


class Shutdown(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.backend = Backend("slow")

    @classmethod
    def tearDownClass(cls):
        cls.backend.stop()

    def sluice(self, grace="10s"):
        dyn = router("demo", "Host(`demo.localhost`)", "demo") + service("demo", [self.backend.url])
        return Sluice(entry_point(extra=f'[entryPoints.web.transport.lifeCycle]\ngraceTimeOut = "{grace}"\n'), dyn,
                      workers=2)

    def test_in_flight_request_finishes_after_sigterm(self):
        s = self.sluice()
        result = {}

        def slow_request():
            c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            c.request("GET", "/delay/1000", headers={"Host": "demo.localhost"})
            r = c.getresponse()
            result["status"], result["body"] = r.status, r.read()
            result["connection"] = r.getheader("Connection")

        t = threading.Thread(target=slow_request)
        t.start()
        time.sleep(0.3)
        started = time.monotonic()
        s.signal(signal.SIGTERM)
        time.sleep(0.2)
        # No new connections once draining.
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", s.port), timeout=2).close()
        t.join(10)
        self.assertEqual(s.proc.wait(10), 0)
        self.assertEqual((result["status"], result["body"]), (200, b"done\n"))
        self.assertEqual(result["connection"], "close")
        self.assertLess(time.monotonic() - started, 3)
        s.stop()

    def test_idle_keep_alive_connections_do_not_delay_exit(self):
        # One connection idle for a moment (its coroutine waits), one idle for longer (parked).
        s = self.sluice()
        parked = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        parked.request("GET", "/health", headers={"Host": "demo.localhost"})
        self.assertEqual(parked.getresponse().read(), b"ok\n")
        time.sleep(0.3)
        c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        c.request("GET", "/health", headers={"Host": "demo.localhost"})
        self.assertEqual(c.getresponse().read(), b"ok\n")
        started = time.monotonic()
        s.signal(signal.SIGTERM)
        self.assertEqual(s.proc.wait(10), 0)
        self.assertLess(time.monotonic() - started, 1.5)
        for conn in (parked, c):
            self.assertEqual(conn.sock.recv(1), b"")  # closed by the proxy
            conn.close()
        s.stop()

    def test_grace_period_bounds_the_wait(self):
        s = self.sluice(grace="500ms")

        def hung_request():
            try:
                c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
                c.request("GET", "/delay/5000", headers={"Host": "demo.localhost"})
                c.getresponse().read()
            except Exception:
                pass

        t = threading.Thread(target=hung_request, daemon=True)
        t.start()
        time.sleep(0.3)
        started = time.monotonic()
        s.signal(signal.SIGTERM)
        self.assertEqual(s.proc.wait(10), 0)
        # The grace period, then the hung request is cancelled at once (a session that did not
        # unwind would hold the exit for another 2 s).
        self.assertLess(time.monotonic() - started, 1.8)
        s.wait_for("grace period over")
        # The request still waiting on its server is cancelled, not reported as a failure.
        self.assertNotIn("unexpected error", s.output())
        s.stop()


class AccessLog(unittest.TestCase):
    def test_common_and_json_formats(self):
        backend = Backend("log")
        self.addCleanup(backend.stop)
        dyn = router("demo", "Host(`demo.localhost`)", "demo") + service("demo", [backend.url])
        for fmt in ("common", "json"):
            s = Sluice(entry_point() + f'[accessLog]\nformat = "{fmt}"\n', dyn, workers=1)
            self.addCleanup(s.stop)
            c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            c.request("GET", "/api/x?y=1", headers={"Host": "demo.localhost", "User-Agent": "probe/1"})
            c.getresponse().read()
            if fmt == "common":
                s.wait_for(r'^127\.0\.0\.1 - - \[\d+/\w+/\d{4}:[\d:]+ \+0000\] "GET /api/x\?y=1 HTTP/1\.1" 200 \d+ '
                           rf'"-" "probe/1" 1 "demo@file" "{backend.url}" \d+ms$')
            else:
                line = s.wait_for(r'^\{.*"RouterName".*\}$').group(0)
                entry = json.loads(line)
                self.assertEqual((entry["RequestMethod"], entry["RequestPath"], entry["DownstreamStatus"]),
                                 ("GET", "/api/x?y=1", 200))
                self.assertEqual((entry["RouterName"], entry["ServiceURL"]), ("demo@file", backend.url))


class StartupErrors(unittest.TestCase):
    def test_port_in_use_is_a_clear_error(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen(1)
            port = taken.getsockname()[1]
            with tempfile.NamedTemporaryFile("w", suffix=".toml") as f:
                f.write(entry_point(port))
                f.flush()
                r = run([SLUICE, "--config", f.name], timeout=20)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"entry point web: cannot listen on 127.0.0.1:{port}", r.stderr)

    def test_broken_static_configuration_exits_2_with_every_error(self):
        with tempfile.NamedTemporaryFile("w", suffix=".toml") as f:
            f.write('[entryPoints.web]\naddress = "x"\n[log]\nlevel = "chatty"\n')
            f.flush()
            r = run([SLUICE, "--config", f.name], timeout=20)
        self.assertEqual(r.returncode, 2)
        self.assertIn("entryPoints.web.address", r.stderr)
        self.assertIn("log.level", r.stderr)


if __name__ == "__main__":
    unittest.main()
