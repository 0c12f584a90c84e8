"""Dynamic configuration changes apply without a restart, and broken ones change nothing."""
import http.client
import json
import signal
import threading
import time
import unittest

from harness import Backend, Sluice, entry_point, free_port, router, service, wait_until


def instance(port, host="demo.localhost"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/api/", headers={"Host": host})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, (json.loads(body)["instance"] if r.status == 200 else None)


class Reload(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.backends = [Backend(f"r{i}") for i in (1, 2, 3)]

    @classmethod
    def tearDownClass(cls):
        for b in cls.backends:
            b.stop()

    def config(self, backends, host="demo.localhost"):
        return router("demo", f"Host(`{host}`)", "demo") + service("demo", [b.url for b in backends])

    def test_reload_under_load_loses_no_request(self):
        s = Sluice(entry_point(), self.config(self.backends[:1]), workers=2)
        failures, served, stop = [], [], threading.Event()

        def client():
            c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            deadline = time.monotonic() + 20
            while not stop.is_set() and time.monotonic() < deadline:
                try:
                    c.request("GET", "/api/", headers={"Host": "demo.localhost"})
                    r = c.getresponse()
                    body = r.read()
                    if r.status != 200:
                        failures.append(r.status)
                    else:
                        served.append(json.loads(body)["instance"])
                except Exception as e:  # any transport error is a failed request
                    failures.append(repr(e))
                    c.close()
                    c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            c.close()

        threads = [threading.Thread(target=client) for _ in range(4)]
        try:
            for t in threads:
                t.start()
            # Twenty reloads that grow and shrink the server set while requests flow.
            for i in range(20):
                s.write_dynamic(self.config(self.backends[: 1 + i % 3]))
                time.sleep(0.1)
            stop.set()
            for t in threads:
                t.join(30)
            self.assertEqual(failures, [])
            self.assertGreater(len(served), 100)
            self.assertEqual(set(served), {"r1", "r2", "r3"})
        finally:
            stop.set()
            s.stop()

    def test_broken_edit_keeps_the_previous_configuration(self):
        s = Sluice(entry_point(), self.config(self.backends[:1]), workers=1)
        try:
            self.assertEqual(instance(s.port), (200, "r1"))
            mark = len(s.lines)
            s.write_dynamic("[http.routers.demo\nrule = oops")
            s.wait_for(r"rejected, the previous one stays in force", start=mark)
            self.assertEqual(instance(s.port), (200, "r1"))
            # A later good edit applies.
            s.write_dynamic(self.config(self.backends[1:2]))
            self.assertTrue(wait_until(lambda: instance(s.port) == (200, "r2")))
        finally:
            s.stop()

    def test_invalid_router_is_disabled_and_others_keep_serving(self):
        s = Sluice(entry_point(), self.config(self.backends[:1]), workers=1)
        try:
            mark = len(s.lines)
            s.write_dynamic(self.config(self.backends[:1]) + router("bad", "Host(`bad.localhost`", "demo") +
                            router("lost", "Host(`lost.localhost`)", "missing"))
            s.wait_for(r"bad@file disabled: .*http\.routers\.bad\.rule: position \d+: expected \"\)\"", start=mark)
            s.wait_for(r"lost@file disabled: .*service \"missing@file\" does not exist", start=mark)
            self.assertEqual(instance(s.port), (200, "r1"))
            self.assertEqual(instance(s.port, "bad.localhost")[0], 404)
        finally:
            s.stop()

    def test_an_object_that_becomes_invalid_keeps_serving_its_last_valid_version(self):
        api_port = free_port()
        good = (self.config(self.backends[:1]) + router("other", "Host(`other.localhost`)", "other") +
                service("other", [self.backends[2].url]) +
                '[http.middlewares.strip.stripPrefix]\nprefixes = ["/x"]\n')
        s = Sluice(entry_point() + f'[api]\naddress = "127.0.0.1:{api_port}"\n', good, workers=1)
        try:
            self.assertEqual(instance(s.port), (200, "r1"))
            mark = len(s.lines)
            # A typo in the router's rule, one in the middleware's key, an unknown service key,
            # and a valid change elsewhere that must still apply.
            s.write_dynamic(router("demo", "Host(`demo.localhost`", "demo") +
                            service("demo", [self.backends[0].url]) + "typo = 1\n" +
                            router("other", "Host(`other.localhost`)", "other") +
                            service("other", [self.backends[1].url]) +
                            '[http.middlewares.strip.stripPrefix]\nprefixs = ["/x"]\n' +
                            router("never", "Host(`never.localhost`", "demo"))
            s.wait_for(r"router demo@file keeps serving its last valid configuration; the new one is invalid: "
                       r".*http\.routers\.demo\.rule", start=mark)
            s.wait_for(r"service demo@file keeps serving its last valid configuration", start=mark)
            s.wait_for(r"middleware strip@file keeps serving its last valid configuration", start=mark)
            s.wait_for(r"router never@file disabled", start=mark)
            self.assertEqual(instance(s.port), (200, "r1"))
            self.assertTrue(wait_until(lambda: instance(s.port, "other.localhost") == (200, "r2")))
            self.assertEqual(instance(s.port, "never.localhost")[0], 404)

            def api(path):
                c = http.client.HTTPConnection("127.0.0.1", api_port, timeout=10)
                try:
                    c.request("GET", path)
                    return json.loads(c.getresponse().read())
                finally:
                    c.close()
            demo = api("/api/http/routers/demo@file")
            self.assertEqual(demo["status"], "enabled")
            self.assertTrue(demo["stale"])
            self.assertEqual(demo["rule"], "Host(`demo.localhost`)")  # what is served
            self.assertTrue(any("expected" in e for e in demo["error"]))
            self.assertEqual(api("/api/http/routers/never@file")["status"], "disabled")
            self.assertNotIn("stale", api("/api/http/routers/other@file"))
            self.assertEqual(api("/api/overview")["http"]["routers"]["warnings"], 1)

            # Fixed: no longer stale. Removed: gone, not resurrected when it comes back broken.
            mark = len(s.lines)
            s.write_dynamic(self.config(self.backends[1:2], host="demo.localhost"))
            self.assertTrue(wait_until(lambda: instance(s.port) == (200, "r2")))
            self.assertNotIn("stale", api("/api/http/routers/demo@file"))
            s.write_dynamic(router("x", "Host(`x.localhost`)", "demo") + service("demo", [self.backends[0].url]))
            self.assertTrue(wait_until(lambda: instance(s.port)[0] == 404))
            s.write_dynamic(router("x", "Host(`x.localhost`)", "demo") + service("demo", [self.backends[0].url]) +
                            router("demo", "Host(`demo.localhost`", "demo"))
            s.wait_for(r"router demo@file disabled", start=mark)
            self.assertEqual(instance(s.port)[0], 404)
        finally:
            s.stop()

    def test_sighup_rereads_an_unwatched_file(self):
        static = entry_point() + "[providers.file]\nfilename = \"dynamic.toml\"\nwatch = false\n"
        s = Sluice(static, None, workers=1)
        try:
            s.write_dynamic(self.config(self.backends[:1]))
            time.sleep(0.3)
            self.assertEqual(instance(s.port)[0], 404)  # not watched: nothing yet
            s.signal(signal.SIGHUP)
            self.assertTrue(wait_until(lambda: instance(s.port) == (200, "r1")))
        finally:
            s.stop()

    def test_inline_http_tables_of_the_static_file_are_watched(self):
        s = Sluice(entry_point() + self.config(self.backends[:1]) + "[providers.file]\nwatch = true\n", None,
                   workers=1)
        try:
            self.assertEqual(instance(s.port), (200, "r1"))
            with open(s.static_path, "w") as f:
                f.write(entry_point(s.port) + self.config(self.backends[2:3]) + "[providers.file]\nwatch = true\n")
            self.assertTrue(wait_until(lambda: instance(s.port) == (200, "r3")))
        finally:
            s.stop()


if __name__ == "__main__":
    unittest.main()
