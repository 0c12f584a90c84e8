"""A third-party plugin built from the installed SDK alone, loaded by the installed binary."""
import http.client
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import BUILD, Backend, Process, run

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "out-of-tree-plugin")


class OutOfTreePlugin(unittest.TestCase):
    def test_installed_sdk_builds_a_plugin_that_the_installed_sluice_loads(self):
        work = tempfile.mkdtemp(prefix="sluice-install-")
        self.addCleanup(shutil.rmtree, work)
        prefix, plugin_build = os.path.join(work, "prefix"), os.path.join(work, "plugin")
        r = run(["cmake", "--install", BUILD, "--prefix", prefix], timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # Nothing from the source tree: only the installed prefix is on the search path.
        r = run(["cmake", "-S", EXAMPLE, "-B", plugin_build, f"-DCMAKE_PREFIX_PATH={prefix}"], timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = run(["cmake", "--build", plugin_build], timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

        sluice = os.path.join(prefix, "bin", "sluice")
        plugins = os.path.join(plugin_build, "plugins")
        r = run([sluice, "plugins", "--plugin-dir", os.path.join(prefix, "lib", "sluice", "plugins"),
                 "--plugin-dir", plugins])
        self.assertRegex(r.stdout, r"responseheader\s+middleware\s+1\.0\.0")
        self.assertRegex(r.stdout, r"roundrobin\s+balancer")

        backend = Backend("oot")
        self.addCleanup(backend.stop)
        config = os.path.join(work, "sluice.toml")
        with open(config, "w") as f:
            f.write(f"""
[entryPoints.web]
address = "127.0.0.1:0"
[plugins]
paths = ["{os.path.join(prefix, 'lib', 'sluice', 'plugins')}", "{plugins}"]
[http.routers.r]
rule = "PathPrefix(`/`)"
service = "s"
middlewares = ["hello"]
[http.services.s.loadBalancer]
servers = [{{ url = "{backend.url}" }}]
[http.middlewares.hello.responseHeader]
name = "X-Hello"
value = "world"
""")
        p = Process([sluice, "--config", config, "--workers", "1"])
        self.addCleanup(p.stop)
        port = int(p.wait_for(r"listening on [\d.]+:(\d+)").group(1))
        p.wait_for(r"hello@file adds X-Hello to responses")
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", "/api/")
        r = c.getresponse()
        r.read()
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("X-Hello"), "world")


if __name__ == "__main__":
    unittest.main()
