"""`sluice plugin new`: for each kind, the generated project builds against the installed SDK
alone and passes its own tests as generated, and the plugins it builds work in the installed
sluice: the provider publishes a route, the balancer balances it, the middleware answers."""
import http.client
import os
import re
import shutil
import tempfile
import unittest

from harness import ABI, Backend, Process, install, run, wait_until

KINDS = ("balancer", "middleware", "provider")


class PluginScaffold(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="sluice-scaffold-")
        cls.prefix = os.path.join(cls.work, "prefix")
        cls.sluice = install(cls.prefix)
        cls.projects = os.path.join(cls.work, "projects")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work)

    def new(self, name, kind):
        r = run([self.sluice, "plugin", "new", name, "--kind", kind, "--dir", self.projects])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return os.path.join(self.projects, name)

    def build_and_test(self, root):
        build = os.path.join(root, "build")
        for step in (["cmake", "-S", root, "-B", build, f"-DCMAKE_PREFIX_PATH={self.prefix}"],
                     ["cmake", "--build", build],
                     ["ctest", "--test-dir", build, "--output-on-failure"]):
            r = run(step, timeout=600)
            self.assertEqual(r.returncode, 0, f"{' '.join(step)}:\n{r.stdout}{r.stderr}")
        self.assertIn("100% tests passed, 0 tests failed out of 2", r.stdout)
        return os.path.join(build, "plugins")

    def test_each_kind_builds_passes_its_tests_and_works_in_sluice(self):
        folders = {}
        for kind in KINDS:
            with self.subTest(kind=kind):
                root = self.new(f"gen-{kind}", kind)
                self.assertEqual(sorted(os.listdir(root)),
                                 [".gitignore", "CMakeLists.txt", "README.md", f"gen-{kind}.cpp", "tests"])
                folders[kind] = self.build_and_test(root)
        if len(folders) != len(KINDS):
            return

        r = run([self.sluice, "plugins", *(a for f in folders.values() for a in ("--plugin-dir", f))])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, rf"gen-balancer\s+balancer\s+0\.1\.0\s+{re.escape(ABI)}\s")
        self.assertRegex(r.stdout, rf"gen-middleware\s+middleware\s+0\.1\.0\s+{re.escape(ABI)}\s")
        self.assertRegex(r.stdout, rf"gen-provider\s+provider\s+0\.1\.0\s+{re.escape(ABI)}\s")

        backends = [Backend("one"), Backend("two")]
        for b in backends:
            self.addCleanup(b.stop)
        config = os.path.join(self.work, "sluice.toml")
        paths = ", ".join(f'"{p}"' for p in [os.path.join(self.prefix, "lib", "sluice", "plugins"), *folders.values()])
        with open(config, "w") as f:
            f.write(f"""
[entryPoints.web]
address = "127.0.0.1:0"
[plugins]
paths = [{paths}]
[providers.generated]
plugin = "gen-provider"
rule = "Host(`gen.localhost`)"
servers = ["{backends[0].url}", "{backends[1].url}"]
[http.routers.timed]
rule = "Host(`timed.localhost`)"
service = "drawn"
middlewares = ["timing"]
[http.services.drawn.loadBalancer]
strategy = "gen-balancer"
servers = [{{ url = "{backends[0].url}" }}, {{ url = "{backends[1].url}" }}]
[http.services.drawn.loadBalancer.gen-balancer]
seed = 3
[http.middlewares.timing.gen-middleware]
header = "X-Took"
""")
        p = Process([self.sluice, "--config", config, "--workers", "1"])
        self.addCleanup(p.stop)
        port = int(p.wait_for(r"entry point web listening on [\d.]+:(\d+)").group(1))

        def get(host):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                c.request("GET", "/api/", headers={"Host": host})
                r = c.getresponse()
                r.read()
                return r
            finally:
                c.close()

        # The provider's route, once its first document is applied.
        self.assertTrue(wait_until(lambda: get("gen.localhost").status == 200), p.output())
        # The balancer draws both servers; the middleware times every answer.
        seen = set()
        for _ in range(20):
            r = get("timed.localhost")
            self.assertEqual(r.status, 200)
            self.assertRegex(r.getheader("X-Took") or "", r"^\d+\.\d{3}ms$")
            seen.add(r.getheader("X-Instance"))
        self.assertEqual(seen, {"one", "two"})

    def test_refuses_what_it_cannot_write(self):
        root = self.new("taken", "middleware")
        r = run([self.sluice, "plugin", "new", "taken", "--kind", "balancer", "--dir", self.projects])
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"{root} already exists", r.stderr)
        self.assertTrue(os.path.exists(os.path.join(root, "taken.cpp")))  # untouched
        for args, message in (
                (["9lives", "--kind", "balancer"], '"9lives": a plugin name starts with a letter'),
                (["a.b", "--kind", "balancer"], "only letters, digits, '_' and '-'"),
                (["fine", "--kind", "router"], 'unknown kind "router": balancer, middleware or provider'),
        ):
            r = run([self.sluice, "plugin", "new", *args, "--dir", self.projects])
            self.assertEqual(r.returncode, 1, args)
            self.assertIn(message, r.stderr)
        r = run([self.sluice, "plugin", "new", "fine", "--dir", self.projects])
        self.assertEqual(r.returncode, 2)
        self.assertIn("needs --kind", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.projects, "fine")))


if __name__ == "__main__":
    unittest.main()
