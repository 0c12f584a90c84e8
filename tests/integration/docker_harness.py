"""Real dockerd for the docker tests: a locally built image, labelled containers, cleanup by label.

Traffic goes only to containers these tests start (their bridge addresses, as reported by
the Engine for those very containers) or to 127.0.0.1.
"""
import json
import os
import shutil
import subprocess
import tempfile
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
