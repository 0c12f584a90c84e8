"""The swarm provider on a real one-node Docker Swarm: examples/swarm/stack.yml deployed with
`docker stack deploy`, sluice a swarm service on the stack's overlay network (its port
published on the node, requests sent to 127.0.0.1 only), scaling and a rolling update under
load with no failed request, a sticky cookie pinned to a task, a task failing its health check,
and the manager's socket going away and coming back.

The swarm is created only when the daemon is in none, and left at the end only then. What the
test deploys is named after its run and removed by name.
"""
import http.client
import json
import os
import subprocess
import tempfile
import time
import unittest

import docker_harness as dh
from harness import Load, Sluice, entry_point, free_port, wait_until

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
STACK_FILE = os.path.join(ROOT, "examples", "swarm", "stack.yml")
STACK = f"sluiceswarm{dh.RUN}"
SLUICE_IMAGE = f"sluice-test:{dh.RUN}"
DEMO_IMAGE = f"sluice-test-demo:{dh.RUN}"
DEMO_IMAGE_V2 = f"sluice-test-demo:{dh.RUN}-v2"  # the same image under another name: a rolling update
HEALTH_SERVICE = f"{STACK}_health"


def request(port, path, host="demo.localhost", cookies=None):
    """(status, the answering instance's name, or the body when it is not the demo's JSON)."""
    status, answer = dh.demo_request(port, path, host, cookies)
    return status, (answer["instance"] if status == 200 and isinstance(answer, dict) else answer[:200])


def service(name):
    return f"{STACK}_{name}"


def running_tasks(name):
    """The IDs (12 characters: the instances' names) of the service's containers that run."""
    return set(dh.docker("ps", "-q", "--filter", f"label=com.docker.swarm.service.name={name}").split())


class Swarm(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dh.require_docker(cls)
        cls.created_swarm = False
        cls.relay = None
        state = dh.docker("info", "--format", "{{.Swarm.LocalNodeState}}")
        cls.outside_a_swarm = None
        if state == "inactive":
            # Before the swarm exists: what the provider says of a daemon in none.
            s = Sluice(entry_point() + "[providers.swarm]\n", None, workers=1)
            try:
                cls.outside_a_swarm = s.wait_for(r"provider swarm: .*retrying").group(0)
            finally:
                s.stop()
            cls.gwbridge_before = bool(dh.docker("network", "ls", "-q", "--filter", "name=^docker_gwbridge$"))
            dh.docker("swarm", "init", "--advertise-addr", "127.0.0.1")
            cls.created_swarm = True
        elif state != "active" or dh.docker("info", "--format", "{{.Swarm.ControlAvailable}}") != "true":
            raise AssertionError(f"the daemon is in a swarm as a worker or in state {state}: a manager is needed")
        try:
            cls.dangling_before = set(dh.docker("images", "-q", "--filter", "dangling=true").split())
            dh.build_project_images({"sluice": SLUICE_IMAGE, "demo-backend": DEMO_IMAGE})
            dh.docker("tag", DEMO_IMAGE, DEMO_IMAGE_V2)
            dh.build_image()  # the test backend (busybox inside): health-check commands
            # The manager's socket reaches sluice through a relay the test can take away.
            cls.folder = tempfile.mkdtemp(prefix="sluice-swarm-")
            cls.socket = os.path.join(cls.folder, "docker.sock")
            cls.relay = dh.UnixRelay(cls.socket, "/var/run/docker.sock")
            os.chmod(cls.socket, 0o660)
            os.chown(cls.socket, -1, os.stat("/var/run/docker.sock").st_gid)
            cls.http_port, cls.api_port = free_port(), free_port()
            env = dict(os.environ, SLUICE_IMAGE=SLUICE_IMAGE, DEMO_IMAGE=DEMO_IMAGE, SLUICE_ENGINE_SOCKET=cls.socket,
                       SLUICE_HTTP_PORT=str(cls.http_port), SLUICE_API_PORT=str(cls.api_port))
            r = subprocess.run(["docker", "stack", "deploy", "--resolve-image", "never", "-c", STACK_FILE, STACK],
                               capture_output=True, text=True, env=env, cwd=os.path.dirname(STACK_FILE), timeout=120)
            if r.returncode != 0:
                raise AssertionError(f"docker stack deploy: {r.stderr}")
            started = time.monotonic()
            if not wait_until(lambda: len({request(cls.http_port, "/api/")[1] for _ in range(6)}) == 3, 120):
                raise AssertionError("the stack did not come up:\n" + cls.logs())
            print(f"\nstack serving {time.monotonic() - started:.1f} s after deploy", flush=True)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def logs(cls):
        """sluice's own messages (its access log left out)."""
        out = subprocess.run(["docker", "service", "logs", "--raw", service("sluice")], capture_output=True,
                             text=True, timeout=60)
        return "\n".join(line for line in (out.stdout + out.stderr).splitlines() if '" 200 ' not in line)

    @classmethod
    def tearDownClass(cls):
        dh.docker("service", "rm", HEALTH_SERVICE, check=False)
        dh.docker("stack", "rm", STACK, check=False)
        wait_until(lambda: not dh.docker("ps", "-aq", "--filter", f"label=com.docker.stack.namespace={STACK}",
                                         check=False), 60)
        wait_until(lambda: not running_tasks(HEALTH_SERVICE), 30)
        # `stack rm` removes the network once; it fails while a task is still attached.
        if dh.docker("network", "ls", "-q", "--filter", f"name=^{STACK}_web$", check=False):
            wait_until(lambda: dh.docker("network", "rm", f"{STACK}_web", check=False) == f"{STACK}_web", 30)
        if cls.relay:
            cls.relay.stop()
        dh.docker("rmi", "-f", SLUICE_IMAGE, DEMO_IMAGE, DEMO_IMAGE_V2, check=False)
        dh.remove_image()
        ours = set(dh.docker("images", "-q", "--filter", "dangling=true", check=False).split()) - getattr(
            cls, "dangling_before", set())
        if ours:
            dh.docker("rmi", *ours, check=False)
        if cls.created_swarm:
            dh.docker("swarm", "leave", "--force", check=False)
            if not cls.gwbridge_before:
                dh.docker("network", "rm", "docker_gwbridge", check=False)

    def load(self, threads=4, limit=90):
        """Requests to the web service: each served one is (time, instance)."""
        def one():
            status, instance = request(self.http_port, "/api/")
            return status, (time.monotonic(), instance)
        return Load(one, threads=threads, limit=limit)

    def converged(self, name, replicas):
        return len(running_tasks(service(name))) == replicas and \
            dh.docker("service", "ls", "--filter", f"name={service(name)}", "--format", "{{.Replicas}}") == \
            f"{replicas}/{replicas}"

    def scaled(self, name, replicas):
        dh.docker("service", "scale", "-d", f"{service(name)}={replicas}")
        self.assertTrue(wait_until(lambda: self.converged(name, replicas), 60))

    def test_0_a_daemon_in_no_swarm_is_refused_with_a_reason(self):
        if self.outside_a_swarm is None:
            self.skipTest("the daemon was in a swarm already")
        self.assertIn("the daemon is not in a swarm (its state: inactive); the swarm provider needs a manager's socket;"
                      " serving the last known backends and retrying", self.outside_a_swarm)

    def test_1_the_stack_is_routed_as_the_compose_demo(self):
        instances = {request(self.http_port, "/api/")[1] for _ in range(9)}
        self.assertEqual(instances, running_tasks(service("web")), "round robin over the three tasks")
        c = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=10)
        c.request("GET", "/api/users", headers={"Host": "demo.localhost"})
        self.assertEqual(json.loads(c.getresponse().read())["path"], "/users")  # stripprefix
        status, page = request(self.http_port, "/")
        self.assertEqual(status, 200)
        self.assertIn(b"Sluice demo", page)
        c = http.client.HTTPConnection("127.0.0.1", self.api_port, timeout=10)
        c.request("GET", "/api/http/routers")
        routers = {r["name"] for r in json.loads(c.getresponse().read())}
        self.assertTrue({"web@swarm", "static@swarm", "session@swarm"} <= routers, routers)

    def test_2_scaling_to_five_and_to_two_under_load(self):
        self.scaled("web", 3)
        before = running_tasks(service("web"))
        with self.load() as load:
            time.sleep(1)
            dh.docker("service", "scale", "-d", f"{service('web')}=5")
            ordered = time.monotonic()
            self.assertTrue(wait_until(lambda: self.converged("web", 5), 60))
            self.assertTrue(wait_until(
                lambda: {i for _, i in load.served[-40:]} == running_tasks(service("web")), 20), "all five served")
            five = running_tasks(service("web"))
            first_new = min(t for t, i in load.served if i not in before)
            time.sleep(1)
            dh.docker("service", "scale", "-d", f"{service('web')}=2")
            shrink = time.monotonic()
            self.assertTrue(wait_until(lambda: self.converged("web", 2), 60))
            time.sleep(1)
        gone = five - running_tasks(service("web"))
        self.assertEqual(len(gone), 3)
        last_gone = max((t for t, i in load.served if i in gone and t > shrink), default=shrink)
        self.assertEqual(load.failures, [], "no failed request while scaling")
        print(f"\nscale 3->5: first request to a new task {first_new - ordered:.2f} s after the order; "
              f"scale 5->2: last request to a removed task {last_gone - shrink:.2f} s after the order; "
              f"{len(load.served)} requests, none failed", flush=True)
        self.assertLess(first_new - ordered, 15, "sooner than Traefik's 15 s poll")

    def test_3_a_rolling_update_under_load(self):
        self.scaled("web", 2)
        before = running_tasks(service("web"))
        with self.load() as load:
            time.sleep(1)
            dh.docker("service", "update", "-d", "--image", DEMO_IMAGE_V2, "--no-resolve-image",
                      "--update-parallelism", "1", "--update-delay", "1s", service("web"))
            self.assertTrue(wait_until(lambda: dh.docker(
                "service", "inspect", "--format", "{{.UpdateStatus.State}}", service("web")) == "completed", 90))
            self.assertTrue(wait_until(lambda: self.converged("web", 2), 30))
            after = running_tasks(service("web"))
            self.assertTrue(wait_until(lambda: {i for _, i in load.served[-20:]} == after, 20))
        self.assertFalse(before & after, "every task replaced")
        self.assertEqual(load.failures, [], "no failed request during the rolling update")
        print(f"\nrolling update: {len(load.served)} requests, none failed", flush=True)

    def test_4_a_sticky_cookie_pins_a_task_and_moves_when_it_goes(self):
        jar = {}
        pinned = request(self.http_port, "/session/", cookies=jar)[1]
        self.assertIn("demo_sticky", jar)
        self.assertEqual({request(self.http_port, "/session/", cookies=jar)[1] for _ in range(10)}, {pinned})
        dh.docker("rm", "-f", pinned)  # the pinned task's container goes; the swarm replaces it
        status, moved = request(self.http_port, "/session/", cookies=jar)
        self.assertEqual(status, 200)
        self.assertNotEqual(moved, pinned)
        self.assertEqual({request(self.http_port, "/session/", cookies=jar)[1] for _ in range(10)}, {moved},
                         "pinned again, to the task that answered")

    def test_5_a_task_failing_its_health_check_is_taken_out(self):
        labels = {"sluice.enable": "true", "sluice.http.routers.health.rule": "Host(`health.localhost`)",
                  "sluice.http.services.health.loadbalancer.server.port": "80"}
        args = []
        for k, v in labels.items():
            args += ["--label", f"{k}={v}"]
        dh.docker("service", "create", "-d", "--name", HEALTH_SERVICE, "--replicas", "2", "--network", service("web"),
                  "--no-resolve-image", "--stop-grace-period", "1s", "--health-cmd",
                  "/bin/busybox wget -q -O /dev/null http://127.0.0.1/health", "--health-interval", "1s", "--health-retries", "1",
                  "--health-timeout", "1s", "--health-start-period", "0s", *args, dh.IMAGE)

        def instances():
            return {request(self.http_port, "/api/", host="health.localhost")[1] for _ in range(8)}
        self.assertTrue(wait_until(lambda: instances() == running_tasks(HEALTH_SERVICE) and
                                   len(running_tasks(HEALTH_SERVICE)) == 2, 60))
        sick, well = sorted(running_tasks(HEALTH_SERVICE))
        served = []

        def one():
            status, instance = request(self.http_port, "/api/", host="health.localhost")
            return status, (time.monotonic(), instance)
        with Load(one, threads=2, limit=60) as load:
            time.sleep(0.5)
            dh.docker("exec", sick, "/bin/busybox", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/health/set/500")
            told = time.monotonic()
            self.assertTrue(wait_until(lambda: "unhealthy" in dh.docker(
                "inspect", "--format", "{{.State.Health.Status}}", sick, check=False) or not dh.docker(
                "ps", "-q", "--filter", f"id={sick}"), 20))
            unhealthy = time.monotonic()
            time.sleep(1.5)
            served = list(load.served)
        late = [t - unhealthy for t, i in served if i == sick and t > unhealthy + 0.5]
        self.assertEqual(late, [], "no request to the task once its health check failed")
        self.assertTrue(any(i == well for _, i in served))
        self.assertEqual(load.failures, [])
        print(f"\nhealth: unhealthy {unhealthy - told:.2f} s after its /health failed; "
              f"last request to it {max([t for t, i in served if i == sick], default=told) - told:.2f} s after",
              flush=True)

    def test_6_the_manager_socket_goes_away_and_comes_back(self):
        self.scaled("web", 2)
        self.relay.pause()
        try:
            self.assertTrue(wait_until(lambda: "unreachable" in self.logs(), 20), self.logs())
            with self.load(threads=2, limit=30) as load:
                time.sleep(2)
            self.assertEqual(load.failures, [], "the last known tasks keep serving")
            dh.docker("service", "scale", "-d", f"{service('web')}=3")
            self.assertTrue(wait_until(lambda: self.converged("web", 3), 60))
        finally:
            self.relay.resume()
        self.assertTrue(wait_until(lambda: {request(self.http_port, "/api/")[1] for _ in range(9)} ==
                                   running_tasks(service("web")), 30), "the change made meanwhile is seen")
        self.assertIn("reachable again", self.logs())


if __name__ == "__main__":
    unittest.main()
