"""The compose deployment end to end: images from the repository's Dockerfile, the demo stack
under docker-compose, round robin, stickiness, scaling under load, and the demo page in Chromium.
"""
import http.client
import http.cookies
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import docker_harness as dh
from harness import BUILD, Load, free_port, wait_until

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
COMPOSE_FILE = os.path.join(ROOT, "examples", "compose", "docker-compose.yml")
PROJECT = f"sluicetest{dh.RUN}"
SLUICE_IMAGE = f"sluice-test:{dh.RUN}"
DEMO_IMAGE = f"sluice-test-demo:{dh.RUN}"


def compose(*args, env, timeout=300):
    # --compatibility: docker-compose 1.x then honours deploy.replicas, as `docker compose` does.
    r = subprocess.run(["docker-compose", "--compatibility", "-p", PROJECT, "-f", COMPOSE_FILE, *args],
                       capture_output=True, text=True,
                       env=env, timeout=timeout)
    if r.returncode != 0:
        raise AssertionError(f"docker-compose {' '.join(args)}: {r.stderr[-2000:]}")
    return r.stdout


def request(port, path, cookies=None):
    return dh.demo_request(port, path, cookies=cookies)


class Compose(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dh.require_docker(cls)
        if not shutil.which("docker-compose"):
            raise AssertionError("docker-compose is not installed")
        # The build stage leaves untagged images behind; those that appear now are ours.
        cls.dangling_before = set(dh.docker("images", "-q", "--filter", "dangling=true").split())
        dh.build_project_images({"sluice": SLUICE_IMAGE, "demo-backend": DEMO_IMAGE})
        cls.http_port, cls.api_port = free_port(), free_port()
        cls.env = dict(os.environ, SLUICE_IMAGE=SLUICE_IMAGE, DEMO_IMAGE=DEMO_IMAGE,
                       SLUICE_HTTP_PORT=str(cls.http_port), SLUICE_API_PORT=str(cls.api_port))
        # dynamic: --scale; session: its deploy.replicas (2).
        compose("up", "-d", "--no-build", "--scale", "dynamic=3", env=cls.env)
        ok = wait_until(lambda: request(cls.http_port, "/api/")[0] == 200, 60)
        if not ok:
            logs = subprocess.run(["docker-compose", "-p", PROJECT, "-f", COMPOSE_FILE, "logs", "--tail", "50"],
                                  capture_output=True, text=True, env=cls.env).stdout
            cls.tearDownClass()
            raise AssertionError("the stack did not come up:\n" + logs)

    @classmethod
    def tearDownClass(cls):
        subprocess.run(["docker-compose", "-p", PROJECT, "-f", COMPOSE_FILE, "down", "--remove-orphans", "-t", "2"],
                       capture_output=True, env=cls.env, timeout=120)
        dh.docker("rmi", "-f", SLUICE_IMAGE, DEMO_IMAGE, check=False)
        ours = set(dh.docker("images", "-q", "--filter", "dangling=true", check=False).split()) - cls.dangling_before
        if ours:
            dh.docker("rmi", *ours, check=False)

    def dynamic_instances(self, n):
        return {request(self.http_port, "/api/")[1]["instance"] for _ in range(n)}

    def scale(self, dynamic):
        compose("up", "-d", "--no-build", "--no-recreate", "--scale", f"dynamic={dynamic}", env=self.env)

    def test_1_round_robin_over_three_replicas_and_the_health_check(self):
        self.assertEqual(len(self.dynamic_instances(9)), 3)
        status, body = request(self.http_port, "/api/users")
        self.assertEqual(body["path"], "/users")  # stripprefix on the API
        self.assertTrue(wait_until(lambda: "healthy" in dh.docker(
            "ps", "--filter", f"label=com.docker.compose.project={PROJECT}",
            "--filter", "label=com.docker.compose.service=sluice", "--format", "{{.Status}}"), 30))
        # The proxy runs as sluice, not root, and reads the socket without group_add.
        self.assertEqual(dh.docker("exec", f"{PROJECT}_sluice_1", "stat", "-c", "%U", "/proc/1"), "sluice")

    def test_2_sessions_stick_with_a_cookie_jar(self):
        replicas = dh.docker("ps", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}",
                             "--filter", "label=com.docker.compose.service=session").split()
        self.assertEqual(len(replicas), 2)  # from deploy.replicas
        jar = {}
        status, body = request(self.http_port, "/session/login?user=alice", jar)
        self.assertEqual(status, 200)
        self.assertIn("demo_sticky", jar)
        answers = [request(self.http_port, "/session/whoami", jar)[1] for _ in range(10)]
        self.assertEqual({a["user"] for a in answers}, {"alice"})
        self.assertEqual(len({a["instance"] for a in answers}), 1)

    def test_3_scale_to_five_then_stop_two_under_load(self):
        before = self.dynamic_instances(9)
        self.scale(5)
        started = time.monotonic()
        self.assertTrue(wait_until(lambda: len(self.dynamic_instances(10)) == 5, 10))
        print(f"\nnew replicas served after {time.monotonic() - started:.2f} s", flush=True)
        self.assertLess(time.monotonic() - started, 2.0)
        self.assertTrue(before < self.dynamic_instances(10))

        def one():
            status, body = request(self.http_port, "/api/")
            return status, body["instance"] if status == 200 else None

        with Load(one) as load:
            time.sleep(0.5)
            dh.docker("stop", "-t", "5", f"{PROJECT}_dynamic_4", f"{PROJECT}_dynamic_5")
            time.sleep(1.0)
        self.assertEqual(load.failures, [])
        self.assertGreater(len(load.served), 50)
        self.assertEqual(len(self.dynamic_instances(10)), 3)

    def test_5_a_compose_file_written_for_traefik_runs_with_the_image_changed(self):
        # A compose file as Traefik's documentation writes one (flags in command, traefik.
        # labels, no group_add, no configuration file); only the image is Sluice's, and the
        # ports are published on free loopback ports, this machine's rule.
        http_port, api_port = free_port(), free_port()
        project = f"{PROJECT}traefik"
        with tempfile.TemporaryDirectory(prefix="sluice-traefik-compose-") as folder:
            path = os.path.join(folder, "docker-compose.yml")
            with open(path, "w") as f:
                f.write(f"""version: "3.8"
services:
  reverse-proxy:
    image: {SLUICE_IMAGE}
    command: --api.insecure=true --providers.docker --ping
    ports: ["127.0.0.1:{http_port}:80", "127.0.0.1:{api_port}:8080"]
    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]
    healthcheck:
      test: ["CMD", "traefik", "healthcheck", "--ping"]
      interval: 2s
  whoami:
    image: {DEMO_IMAGE}
    command: ["--mode", "api"]
    labels:
      - traefik.http.routers.whoami.rule=Host(`whoami.localhost`)
      - traefik.http.routers.whoami-api.rule=Host(`whoami.localhost`) && PathPrefix(`/api`)
      - traefik.http.routers.whoami-api.middlewares=strip-api
      - traefik.http.middlewares.strip-api.stripprefix.prefixes=/api
      - traefik.http.services.whoami.loadbalancer.sticky.cookie.name=lane
""")
            run = ["docker-compose", "-p", project, "-f", path]

            def up(replicas):
                r = subprocess.run([*run, "up", "-d", "--no-recreate", "--scale", f"whoami={replicas}"],
                                   capture_output=True, text=True, env=self.env, timeout=300)
                self.assertEqual(r.returncode, 0, r.stderr[-2000:])

            def whoami(target="/", jar=None):
                c = http.client.HTTPConnection("127.0.0.1", http_port, timeout=5)
                headers = {"Host": "whoami.localhost"}
                if jar:
                    headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
                try:
                    c.request("GET", target, headers=headers)
                    r = c.getresponse()
                    body = r.read()
                    for header in r.headers.get_all("Set-Cookie") or []:
                        if jar is not None:
                            jar.update({k: m.value for k, m in http.cookies.SimpleCookie(header).items()})
                    return r.status, (json.loads(body) if r.status == 200 else None)
                except OSError:
                    return None, None
                finally:
                    c.close()

            def instances(n):
                return {body["instance"] for status, body in (whoami() for _ in range(n)) if status == 200}

            try:
                up(1)
                served = wait_until(lambda: whoami()[0] == 200, 60)
                logs = subprocess.run([*run, "logs", "--tail", "40"], capture_output=True, text=True, env=self.env).stdout
                self.assertTrue(served, logs)
                self.assertIn("static configuration read from flags", logs)
                # Scale up: round robin over the three, sticky with the cookie, stripprefix.
                up(3)
                self.assertTrue(wait_until(lambda: len(instances(9)) == 3, 30), logs)
                jar = {}
                self.assertEqual(whoami("/", jar)[0], 200)
                self.assertIn("lane", jar)
                self.assertEqual(len({whoami("/", jar)[1]["instance"] for _ in range(9)}), 1)
                status, body = whoami("/api/users")
                self.assertEqual((status, body["path"]), (200, "/users"))
                # Scale down: the two that stopped are gone from the rotation.
                up(1)
                self.assertTrue(wait_until(lambda: len(instances(6)) == 1, 30))
                # The API and the dashboard on :8080, as --api.insecure=true serves them.
                c = http.client.HTTPConnection("127.0.0.1", api_port, timeout=10)
                c.request("GET", "/api/http/routers")
                routers = [r["name"] for r in json.loads(c.getresponse().read())]
                c.request("GET", "/dashboard/")
                dashboard = c.getresponse()
                page = dashboard.read()
                c.close()
                self.assertIn("whoami@docker", routers)
                self.assertIn("whoami-api@docker", routers)
                self.assertEqual(dashboard.status, 200)
                self.assertIn(b"<html", page.lower())
                self.assertEqual(dh.docker("exec", f"{project}_reverse-proxy_1", "stat", "-c", "%U", "/proc/1"), "sluice")
                # Traefik's health check command, as compose files for Traefik write it.
                self.assertTrue(wait_until(lambda: "healthy" in dh.docker(
                    "ps", "--filter", f"label=com.docker.compose.project={project}",
                    "--filter", "label=com.docker.compose.service=reverse-proxy", "--format", "{{.Status}}"), 30))
            finally:
                subprocess.run([*run, "down", "--remove-orphans", "-t", "2"], capture_output=True, env=self.env,
                               timeout=120)

    def test_4_demo_page_in_chromium(self):
        if not os.path.exists("/usr/bin/chromedriver"):
            if os.environ.get("CI") == "true":
                self.fail("chromium-driver is not installed")
            self.skipTest("chromium-driver is not installed")
        shot = os.path.join(BUILD, "demo-page.png")
        r = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tests", "browser", "demo_page.py"),
                            f"http://demo.localhost:{self.http_port}/", shot, "8"],
                           capture_output=True, text=True, timeout=180)
        self.assertEqual(r.returncode, 0, r.stderr[-3000:])
        result = json.loads(r.stdout.strip().splitlines()[-1])
        self.assertEqual(len(result["answers"]), 8)
        self.assertGreater(len(set(result["answers"])), 1)  # more than one instance answered
        self.assertTrue(os.path.getsize(shot) > 10_000)


if __name__ == "__main__":
    unittest.main()
