"""Real dockerd for the docker tests: a locally built image, labelled containers, cleanup by label.

Traffic goes only to containers these tests start (their bridge addresses, as reported by
the Engine for those very containers) or to 127.0.0.1.
"""
import http.client
import http.cookies
import json
import os
import select
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

from harness import BUILD

RUN = uuid.uuid4().hex[:8]
LABEL = f"sluice-test={RUN}"  # deliberately not under the "sluice." label prefix
IMAGE = f"sluice-test-backend:{RUN}"


def docker(*args, check=True, timeout=120):
    r = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed: {r.stderr.strip()}")
    return r.stdout.strip()


def require_docker(testcase):
    """Skips without a reachable dockerd, except in CI, where that is a failure."""
    ok = shutil.which("docker") and subprocess.run(["docker", "info"], capture_output=True).returncode == 0
    if ok:
        return
    if os.environ.get("CI") == "true":
        raise AssertionError("dockerd is not reachable, and CI requires the docker tests to run")
    raise unittest.SkipTest("dockerd is not reachable")


def build_image():
    static = os.path.join(BUILD, "bin", "demo-backend-static")
    context = tempfile.mkdtemp(prefix="sluice-image-")
    try:
        subprocess.run(["strip", "-o", os.path.join(context, "demo-backend"), static], check=True)
        shutil.copy(shutil.which("busybox") or "/bin/busybox", os.path.join(context, "busybox"))
        dockerfile = os.path.join(os.path.dirname(__file__), "..", "docker", "backend.Dockerfile")
        docker("build", "-q", "-t", IMAGE, "--label", LABEL, "-f", dockerfile, context, timeout=300)
    finally:
        shutil.rmtree(context)


def build_project_images(images):
    """The repository's Dockerfile, fed by this build (SLUICE_PREBUILT) instead of compiling:
    `images` maps a target (sluice, demo-backend) to its tag. The Debian base images are
    bootstrapped first when missing (no registry here)."""
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    subprocess.run([os.path.join(root, "tests", "compose", "ensure_base_images.sh")], check=True, timeout=900)
    context = tempfile.mkdtemp(prefix="sluice-context-")
    try:
        subprocess.run(["cmake", "--install", BUILD, "--prefix", os.path.join(context, "stage")], check=True,
                       capture_output=True, timeout=120)
        for binary in ("sluice", "demo-backend"):
            subprocess.run(["strip", os.path.join(context, "stage", "bin", binary)], check=True)
        os.makedirs(os.path.join(context, "examples", "compose"))
        shutil.copy(os.path.join(root, "examples", "compose", "sluice.toml"), os.path.join(context, "examples", "compose"))
        os.makedirs(os.path.join(context, "scripts"))
        shutil.copy(os.path.join(root, "scripts", "container-entrypoint.sh"), os.path.join(context, "scripts"))
        started = time.monotonic()
        for target, tag in images.items():
            docker("build", "-q", "-f", os.path.join(root, "Dockerfile"), "--build-arg", "SLUICE_PREBUILT=stage",
                   "--target", target, "-t", tag, "--label", LABEL, context, timeout=600)
        print(f"\nimages built in {time.monotonic() - started:.1f} s", flush=True)
    finally:
        shutil.rmtree(context)


def demo_request(port, path, host="demo.localhost", cookies=None):
    """GET `path` from sluice on 127.0.0.1:`port`: (status, the JSON answer or the body),
    sending the cookies of `cookies` and keeping the ones set in it."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Host": host}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    c.request("GET", path, headers=headers)
    r = c.getresponse()
    body = r.read()
    c.close()
    if cookies is not None:
        for header in r.headers.get_all("Set-Cookie") or []:
            for k, m in http.cookies.SimpleCookie(header).items():
                cookies[k] = m.value
    return r.status, (json.loads(body) if body.startswith(b"{") else body)


def cname(name):
    """The Docker name of a test container, which is also its default service name."""
    return f"sluice-test-{RUN}-{name}"


def run_container(name, *args, labels=None, command=()):
    label_args = []
    for k, v in (labels or {}).items():
        label_args += ["--label", f"{k}={v}"]
    return docker("run", "-d", "--label", LABEL, "--name", cname(name), *label_args, *args, IMAGE,
                  "--name", name, *command)


def replica(project, service, index, *args, labels=None):
    labels = {"com.docker.compose.project": project, "com.docker.compose.service": service, **(labels or {})}
    return run_container(f"{service}-{index}", *args, labels=labels)


def inspect(container_id):
    return json.loads(docker("inspect", container_id))[0]


def cleanup():
    ids = docker("ps", "-aq", "--filter", f"label={LABEL}", check=False).split()
    if ids:
        docker("rm", "-f", *ids, check=False)
    nets = docker("network", "ls", "-q", "--filter", f"label={LABEL}", check=False).split()
    if nets:
        docker("network", "rm", *nets, check=False)


def remove_image():
    docker("rmi", "-f", IMAGE, check=False)


class UnixRelay:
    """A relay in front of docker.sock that a test can take away and bring back. `path` is a
    unix socket path, or a port number for a TCP listener on 127.0.0.1."""

    def __init__(self, path, target, tls=None):
        self.path, self.target, self.tls = path, target, tls  # tls: a server-side ssl.SSLContext
        self.server = None
        self.conns = []
        self.away = False
        self.start()

    def start(self):
        if isinstance(self.path, int):
            self.server = socket.socket(socket.AF_INET)
            self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.server.bind(("127.0.0.1", self.path))
        else:
            self.server = socket.socket(socket.AF_UNIX)
            self.server.bind(self.path)
        self.server.listen(16)
        threading.Thread(target=self._accept, args=(self.server,), daemon=True).start()

    def _accept(self, server):
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def pause(self):
        """The daemon away with its socket still in place (a socket file bind-mounted into a
        container cannot be replaced): connections are closed, new ones closed at once."""
        self.away = True
        self._close_connections()

    def resume(self):
        self.away = False

    def _serve(self, client):
        if self.away:
            client.close()
            return
        if self.tls:
            try:
                client.settimeout(5)
                client = self.tls.wrap_socket(client, server_side=True)
                client.settimeout(None)
            except (OSError, ssl.SSLError):
                client.close()
                return
        upstream = socket.socket(socket.AF_UNIX)
        upstream.connect(self.target)
        self.conns += [client, upstream]
        self._pump(client, upstream)

    @staticmethod
    def _pump(a, b):
        # Both directions in one thread: an SSL socket is not to be read and written at once.
        other = {a: b, b: a}
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 120)
                if not ready:
                    break
                for s in ready:
                    data = s.recv(65536)
                    while isinstance(s, ssl.SSLSocket) and s.pending():
                        data += s.recv(s.pending())
                    if not data:
                        raise EOFError
                    other[s].sendall(data)
        except (OSError, EOFError):
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self):
        if self.server:
            self.server.close()
            self.server = None
            if not isinstance(self.path, int):
                os.unlink(self.path)
        self._close_connections()

    def _close_connections(self):
        for c in self.conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()
        self.conns = []
