"""Traefik's forms of the static configuration through the real binary: flags, TRAEFIK_*
variables and a traefik.yml found where Traefik looks, with Traefik's defaults (the API on
the traefik entry point) and errors that name the flag or the file's line."""
import http.client
import json
import os
import subprocess
import tempfile
import textwrap
import unittest

from harness import SLUICE, Backend, Process, free_port, router, service, wait_until


def get(port, path, host="app.localhost"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", path, headers={"Host": host})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


class TraefikForms(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.backend = Backend("b1")

    @classmethod
    def tearDownClass(cls):
        cls.backend.stop()

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="sluice-traefik-")
        self.dynamic = os.path.join(self.dir.name, "dynamic.toml")
        with open(self.dynamic, "w") as f:
            f.write(router("app", "Host(`app.localhost`)", "app") + service("app", [self.backend.url]))
        # No Traefik file of the machine's may be found: HOME and XDG_CONFIG_HOME point here.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TRAEFIK_")}
        self.env.update(HOME=self.dir.name, XDG_CONFIG_HOME=self.dir.name)

    def tearDown(self):
        self.dir.cleanup()

    def start(self, args, env=None):
        p = Process([SLUICE, "--workers", "1", *args], cwd=self.dir.name, env=env or self.env)
        self.addCleanup(p.stop)
        port = int(p.wait_for(r"entry point \w+ listening on [\d.]+:(\d+)").group(1))
        return p, port

    def test_flags_of_a_traefik_compose_file(self):
        api = free_port()
        p, port = self.start(["--entrypoints.web.address=127.0.0.1:0", "--api.insecure=true",
                              f"--entrypoints.traefik.address=127.0.0.1:{api}", "--ping",
                              f"--providers.file.filename={self.dynamic}", "--log.level=INFO",
                              "--global.checkNewVersion=false", "--accesslog=true"])
        p.wait_for(r"static configuration read from flags")
        p.wait_for(r"API and dashboard listening on 127\.0\.0\.1:" + str(api))
        p.wait_for(r"warning: global: ignored")
        self.assertEqual(get(port, "/"), (200, get(port, "/")[1]))
        self.assertEqual(get(api, "/ping"), (200, b"OK"))
        status, body = get(api, "/api/http/routers")
        self.assertEqual(status, 200)
        self.assertEqual([r["name"] for r in json.loads(body)], ["app@file"])

    def test_ping_alone_serves_only_ping_on_the_traefik_entry_point(self):
        api = free_port()
        p, port = self.start(["--entrypoints.web.address=127.0.0.1:0", f"--entrypoints.traefik.address=127.0.0.1:{api}",
                              "--ping=true", f"--providers.file.filename={self.dynamic}"])
        p.wait_for(r"API entry point listening on .*\(/ping\)")
        self.assertEqual(get(api, "/ping")[0], 200)
        self.assertEqual(get(api, "/api/http/routers")[0], 404)
        self.assertEqual(get(api, "/dashboard/")[0], 404)
        self.assertEqual(get(api, "/metrics")[0], 404)
        # `sluice healthcheck` with the same flags asks /ping there, as `traefik healthcheck --ping` does.
        check = subprocess.run([SLUICE, "healthcheck", f"--entrypoints.traefik.address=127.0.0.1:{api}", "--ping"],
                               cwd=self.dir.name, env=self.env, capture_output=True, text=True, timeout=30)
        self.assertEqual(check.returncode, 0, check.stderr)

    def test_environment_variables_when_there_is_no_flag(self):
        env = dict(self.env, TRAEFIK_ENTRYPOINTS_WEB_ADDRESS="127.0.0.1:0",
                   TRAEFIK_PROVIDERS_FILE_FILENAME=self.dynamic, TRAEFIK_LOG_LEVEL="DEBUG")
        p, port = self.start([], env=env)
        p.wait_for(r"static configuration read from environment variables")
        self.assertEqual(get(port, "/")[0], 200)

    def test_a_traefik_yml_in_the_working_folder_and_its_errors(self):
        with open(os.path.join(self.dir.name, "traefik.yml"), "w") as f:
            f.write(textwrap.dedent(f"""\
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                providers:
                  file:
                    filename: {self.dynamic}
                """))
        p, port = self.start([])
        p.wait_for(r"static configuration read from .*traefik\.yml")
        self.assertEqual(get(port, "/")[0], 200)
        with open(os.path.join(self.dir.name, "traefik.yml"), "w") as f:
            f.write("entryPoints:\n  web:\n    address: \"127.0.0.1:0\"\n    adress: x\n"
                    "certificatesResolvers:\n  le:\n    acme:\n      email: a@b.c\n")
        check = subprocess.run([SLUICE, "check"], cwd=self.dir.name, env=self.env, capture_output=True, text=True,
                               timeout=30)
        self.assertEqual(check.returncode, 1)
        self.assertIn("traefik.yml:4: entryPoints.web.adress: unknown key", check.stderr)
        self.assertIn("did you mean \"address\"", check.stderr)
        self.assertIn("traefik.yml:5: certificatesResolvers: certificate resolvers (ACME) are not supported",
                      check.stderr)

    def test_migrate_prints_sluices_own_toml_that_serves_the_same(self):
        api = free_port()
        with open(os.path.join(self.dir.name, "traefik.yml"), "w") as f:
            f.write(textwrap.dedent(f"""\
                global:
                  checkNewVersion: false
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                  traefik:
                    address: "127.0.0.1:{api}"
                api:
                  insecure: true
                providers:
                  file:
                    filename: dynamic.toml
                """))
        r = subprocess.run([SLUICE, "migrate", "--from", "traefik.yml"], cwd=self.dir.name, env=self.env,
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("# global: ignored", r.stdout)
        with tempfile.TemporaryDirectory(prefix="sluice-migrated-") as elsewhere:
            native = os.path.join(elsewhere, "sluice.toml")
            with open(native, "w") as f:
                f.write(r.stdout)
            p = Process([SLUICE, "--workers", "1", "--config", native], cwd=elsewhere, env=self.env)
            self.addCleanup(p.stop)
            port = int(p.wait_for(r"entry point \w+ listening on [\d.]+:(\d+)").group(1))
            p.wait_for(r"API and dashboard listening on 127\.0\.0\.1:" + str(api))
            self.assertEqual(get(port, "/")[0], 200)  # the dynamic file's path was made absolute

    def test_dynamic_configuration_in_yaml_is_served_reloaded_and_checked_at_its_lines(self):
        dynamic = os.path.join(self.dir.name, "dynamic.yml")

        def write(*extra):
            lines = ["http:", "  routers:", "    app:", '      rule: "Host(`app.localhost`)"', "      service: app",
                     *extra, "  services:", "    app:", "      loadBalancer:", "        servers:",
                     f'          - url: "{self.backend.url}"']
            with open(dynamic + ".tmp", "w") as f:
                f.write("\n".join(lines) + "\n")
            os.replace(dynamic + ".tmp", dynamic)

        write()
        p, port = self.start(["--entrypoints.web.address=127.0.0.1:0", "--providers.file.filename=dynamic.yml"])
        self.assertEqual(get(port, "/")[0], 200)
        # A second router, added while serving: watched, parsed, served.
        write("    other:", '      rule: "Host(`other.localhost`)"', "      service: app")
        self.assertTrue(wait_until(lambda: get(port, "/", host="other.localhost")[0] == 200))
        # A misspelt key: the error names the YAML file's own line; the rest keeps serving.
        write("    bad:", '      rule: "Host(`bad.localhost`)"', "      servce: app")
        p.wait_for(r"dynamic\.yml:8: http\.routers\.bad\.servce: unknown key")
        self.assertEqual(get(port, "/")[0], 200)
        check = subprocess.run([SLUICE, "check", "--entrypoints.web.address=127.0.0.1:0",
                                "--providers.file.filename=dynamic.yml"], cwd=self.dir.name, env=self.env,
                               capture_output=True, text=True, timeout=30)
        self.assertEqual(check.returncode, 1)
        self.assertIn("dynamic.yml:8: http.routers.bad.servce: unknown key (did you mean \"service\"?)", check.stderr)

    def test_a_directory_of_toml_and_yaml_files_is_served_watched_and_checked(self):
        root = os.path.join(self.dir.name, "dynamic")
        os.makedirs(os.path.join(root, "services"))

        def write(name, text):
            path = os.path.join(root, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path + ".tmp", "w") as f:
                f.write(textwrap.dedent(text))
            os.replace(path + ".tmp", path)

        # A router in a YAML file uses a service of a TOML file in a sub-folder.
        write("routers.yml", """\
            http:
              routers:
                app:
                  rule: "Host(`app.localhost`)"
                  service: app
            """)
        write("services/app.toml", service("app", [self.backend.url]))
        os.symlink("/nonexistent", os.path.join(root, ".#routers.toml"))  # an editor's lock: skipped
        p, port = self.start(["--entrypoints.web.address=127.0.0.1:0", "--providers.file.directory=dynamic"])
        self.assertEqual(get(port, "/")[0], 200)

        # A file added while serving, then broken (its last good form stays), then deleted.
        write("other.toml", router("other", "Host(`other.localhost`)", "app"))
        self.assertTrue(wait_until(lambda: get(port, "/", host="other.localhost")[0] == 200))
        mark = len(p.lines)
        write("other.toml", "[http.routers.other\n")
        p.wait_for(r"configuration from provider file rejected", start=mark)
        self.assertEqual(get(port, "/", host="other.localhost")[0], 200)
        os.remove(os.path.join(root, "other.toml"))
        self.assertTrue(wait_until(lambda: get(port, "/", host="other.localhost")[0] == 404))
        self.assertEqual(get(port, "/")[0], 200)

        # A sub-folder made while serving is watched; a name given twice keeps the first file's
        # in the order of their paths (routers.yml before tenants/x.yml).
        os.makedirs(os.path.join(root, "tenants"))
        write("tenants/x.yml", """\
            http:
              routers:
                app:
                  rule: "Host(`taken.localhost`)"
                  service: app
                late:
                  rule: "Host(`late.localhost`)"
                  service: app
            """)
        self.assertTrue(wait_until(lambda: get(port, "/", host="late.localhost")[0] == 200))
        p.wait_for(r"tenants/x\.yml:3: http\.routers\.app: router \"app\" is already defined in .*routers\.yml:3")
        self.assertEqual(get(port, "/", host="taken.localhost")[0], 404)
        self.assertEqual(get(port, "/")[0], 200)

        # `sluice check` reads the directory as the proxy does.
        write("services/bad.toml", router("bad", "Host(`bad.localhost`)", "nowhere"))
        check = subprocess.run([SLUICE, "check", "--entrypoints.web.address=127.0.0.1:0",
                                "--providers.file.directory=dynamic"], cwd=self.dir.name, env=self.env,
                               capture_output=True, text=True, timeout=30)
        self.assertEqual(check.returncode, 1, check.stdout)
        self.assertIn("tenants/x.yml:3: http.routers.app: router \"app\" is already defined in", check.stderr)
        self.assertIn("services/bad.toml:1: http.routers.bad", check.stderr)
        self.assertNotIn("other.toml", check.stderr)

    def test_a_bad_flag_is_named(self):
        r = subprocess.run([SLUICE, "check", "--entrypoints.web.address=:99999"], cwd=self.dir.name, env=self.env,
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn("flag --entrypoints.web.address=:99999: entryPoints.web.address", r.stderr)
        r = subprocess.run([SLUICE, "--config", "x.toml", "--providers.docker"], cwd=self.dir.name, env=self.env,
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("not both", r.stderr)


if __name__ == "__main__":
    unittest.main()
