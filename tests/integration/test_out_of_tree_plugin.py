"""Third-party plugins built from the installed SDK alone, loaded by the installed binary:
the C++ example with gcc and with clang (the boundary is C, so the host's compiler does not
bind the author's), and a balancer written in C that acts on traffic."""
import concurrent.futures
import http.client
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.request

from harness import ABI, Backend, Process, free_port, install, run, wait_until

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")


def get(port, path, timeout=10):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        r.read()
        return r
    finally:
        c.close()


def compiled_by(binary):
    """The compilers named in an ELF file's .comment section."""
    return run(["readelf", "-p", ".comment", binary]).stdout


class OutOfTreePlugin(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="sluice-install-")
        cls.prefix = os.path.join(cls.work, "prefix")
        cls.sluice = install(cls.prefix)
        cls.shipped = os.path.join(cls.prefix, "lib", "sluice", "plugins")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work)

    def build(self, example, env=None):
        """Builds an example against the installed prefix alone; returns its plugins folder."""
        out = os.path.join(self.work, f"{example}-{len(os.listdir(self.work))}")
        env = dict(os.environ, **(env or {}))
        r = run(["cmake", "-S", os.path.join(EXAMPLES, example), "-B", out, f"-DCMAKE_PREFIX_PATH={self.prefix}"],
                timeout=120, env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = run(["cmake", "--build", out], timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return os.path.join(out, "plugins")

    def start(self, config_body, plugins):
        config = os.path.join(self.work, f"sluice-{len(os.listdir(self.work))}.toml")
        api_port = free_port()
        with open(config, "w") as f:
            f.write(f"""
[entryPoints.web]
address = "127.0.0.1:0"
[api]
address = "127.0.0.1:{api_port}"
[plugins]
paths = ["{self.shipped}", "{plugins}"]
{config_body}""")
        p = Process([self.sluice, "--config", config, "--workers", "2"])
        self.addCleanup(p.stop)
        port = int(p.wait_for(r"entry point web listening on [\d.]+:(\d+)").group(1))
        p.wait_for(r"API and dashboard listening")
        return p, port, api_port

    def header_middleware(self, compiler, producer):
        plugins = self.build("out-of-tree-plugin", {"CXX": compiler})
        self.assertIn(producer, compiled_by(os.path.join(plugins, "responseheader.so")))
        r = run([self.sluice, "plugins", "--plugin-dir", self.shipped, "--plugin-dir", plugins])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, rf"responseheader\s+middleware\s+1\.0\.0\s+{re.escape(ABI)}")
        self.assertRegex(r.stdout, r"roundrobin\s+balancer")

        backend = Backend("oot")
        self.addCleanup(backend.stop)
        p, port, _ = self.start(f"""
[http.routers.r]
rule = "PathPrefix(`/`)"
service = "s"
middlewares = ["hello"]
[http.services.s.loadBalancer]
servers = [{{ url = "{backend.url}" }}]
[http.middlewares.hello.responseHeader]
name = "X-Hello"
value = "world"
""", plugins)
        # The host names the object in every line it logs for it.
        p.wait_for(r"middleware hello@file: adds X-Hello to responses")
        r = get(port, "/api/")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("X-Hello"), "world")

    def test_a_plugin_built_with_gcc_loads(self):
        self.header_middleware("g++", "GCC: (")

    def test_a_plugin_built_with_clang_loads_into_the_gcc_built_sluice(self):
        self.assertNotIn("clang", compiled_by(self.sluice))
        self.header_middleware("clang++-14", "clang version 14")

    def test_a_balancer_hashing_a_header_built_and_tested_against_the_sdk(self):
        plugins = self.build("out-of-tree-plugin")
        # Its own tests, with the SDK's fakes, in its own build.
        r = run(["ctest", "--test-dir", os.path.dirname(plugins), "--output-on-failure"], timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("header_hash_test", r.stdout)
        r = run([self.sluice, "plugins", "--plugin-dir", plugins])
        self.assertRegex(r.stdout, rf"headerhash\s+balancer\s+1\.0\.0\s+{re.escape(ABI)}\s")

        backends = [Backend(f"h{i}") for i in range(3)]
        for b in backends:
            self.addCleanup(b.stop)
        servers = ", ".join(f'{{ url = "{b.url}" }}' for b in backends)
        p, port, _ = self.start(f"""
[http.routers.r]
rule = "PathPrefix(`/`)"
service = "s"
[http.services.s.loadBalancer]
strategy = "headerhash"
servers = [{servers}]
""", plugins)

        def served(tenant):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                c.request("GET", "/", headers={"X-Tenant": tenant})
                r = c.getresponse()
                r.read()
                return r.status, r.getheader("X-Instance")
            finally:
                c.close()

        tenants = [f"tenant{k}" for k in range(30)]
        first = {t: served(t) for t in tenants}
        self.assertEqual({status for status, _ in first.values()}, {200})
        self.assertEqual(len({name for _, name in first.values()}), 3)
        self.assertEqual({t: served(t) for t in tenants}, first)
        backends[0].stop()  # its tenants move (the refused attempt goes on); nobody else does
        for t in tenants:
            status, name = served(t)
            self.assertEqual(status, 200)
            self.assertEqual(name, first[t][1] if first[t][1] != "h0" else name)
            self.assertNotEqual(name, "h0")

    def test_a_balancer_written_in_c_balances_by_attempts_in_flight(self):
        plugins = self.build("c-plugin", {"CC": "clang-14"})
        self.assertIn("clang version 14", compiled_by(os.path.join(plugins, "leastinflight.so")))
        r = run(["nm", "-D", "--defined-only", os.path.join(plugins, "leastinflight.so")])
        self.assertEqual(re.findall(r" [A-Za-z] (\S+)", r.stdout), ["sluice_plugin_entry"])
        r = run([self.sluice, "plugins", "--plugin-dir", plugins])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, rf"leastinflight\s+balancer\s+1\.0\.0\s+{re.escape(ABI)}\s")

        a, b = Backend("a"), Backend("b")
        self.addCleanup(a.stop)
        self.addCleanup(b.stop)
        p, port, api_port = self.start(f"""
[http.routers.r]
rule = "PathPrefix(`/`)"
service = "s"
[http.services.s.loadBalancer]
strategy = "leastinflight"
servers = [{{ url = "{a.url}" }}, {{ url = "{b.url}" }}]
""", plugins)
        # While one slow request holds a server, every other request goes to the other one;
        # round robin would alternate.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            slow = pool.submit(get, port, "/delay/2000")
            gauge = re.compile(r'^sluice_plugin_leastinflight_in_flight\{plugin="leastinflight",instance="s@file"\} (\d+)$',
                               re.M)
            deadline = time.monotonic() + 5
            while True:
                with urllib.request.urlopen(f"http://127.0.0.1:{api_port}/metrics", timeout=5) as m:
                    found = gauge.search(m.read().decode())
                if found and found.group(1) == "1" or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            self.assertEqual(found and found.group(1), "1", "the slow request is not counted in flight")
            # One keep-alive connection: the proxy ends each attempt (on_attempt) before it
            # reads the next request. (On new connections, a request may be picked for
            # while the previous one's attempt is still counted in flight.)
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            quick = []
            for _ in range(6):
                c.request("GET", "/api/")
                r = c.getresponse()
                r.read()
                quick.append(r.getheader("X-Instance"))
            c.close()
            held = slow.result(timeout=10).getheader("X-Instance")
        self.assertEqual(len(set(quick)), 1, quick)
        self.assertNotEqual(quick[0], held)
        # Each attempt was counted out when it ended (which may be just after its client got
        # the last byte).
        def in_flight():
            with urllib.request.urlopen(f"http://127.0.0.1:{api_port}/metrics", timeout=5) as m:
                return gauge.search(m.read().decode()).group(1)
        self.assertTrue(wait_until(lambda: in_flight() == "0", timeout=5), in_flight())
        # Options it does not take are refused, naming the file's line.
        r = run([self.sluice, "check", "--config", self.write_check_config(plugins)])
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"loadBalancer\.leastinflight: leastinflight takes no options")

    def write_check_config(self, plugins):
        path = os.path.join(self.work, "check.toml")
        with open(path, "w") as f:
            f.write(f"""
[entryPoints.web]
address = "127.0.0.1:0"
[plugins]
paths = ["{self.shipped}", "{plugins}"]
[http.routers.r]
rule = "PathPrefix(`/`)"
service = "s"
[http.services.s.loadBalancer]
strategy = "leastinflight"
servers = [{{ url = "http://127.0.0.1:1" }}]
[http.services.s.loadBalancer.leastinflight]
fast = true
""")
        return path


if __name__ == "__main__":
    unittest.main()
