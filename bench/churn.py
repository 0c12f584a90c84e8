#!/usr/bin/env python3
"""Scale churn under steady load: a labelled docker service scaled up and down, and edits of
the watched dynamic file, while client threads send keep-alive GETs through sluice.

Each cycle starts `--scale` replicas beside a steady one, waits until sluice sends them
traffic, then scales them down: `docker stop` (SIGTERM, the demo backend drains) in most
cycles, and every `--kill-every`th cycle `docker rm -f` or `docker kill` (SIGKILL). Only
GETs are sent, which sluice may retry on another server, so no request may fail even when
a replica is killed; failures during kill cycles are still reported apart from the rest.
File edits change the servers of a file-defined service (served by demo backends on
127.0.0.1) and add and remove a router.

Prints per-cycle timings and the failed requests; exits 1 on any failure.
Needs a build with demo-backend-static and a running dockerd.

Usage: bench/churn.py [--build build] [--cycles 50] [--reloads 20] [--kill-every 5]
"""
import argparse
import collections
import http.client
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))

PROJECT, SERVICE = "churn", "web"


def replica_labels(scale):
    # A kill cycle takes `scale` replicas down at once: a GET may be reset by each of them in
    # turn, so the service may send it again that many times before it reaches the steady one.
    return {f"sluice.http.services.{SERVICE}-{PROJECT}.loadbalancer.retries": str(scale)}
DOCKER_HOST = f"{SERVICE}-{PROJECT}"  # the default rule of a compose service
FILE_HOST = "file.localhost"
FILE_NAMES = ("f1", "f2", "f3")
CLIENT_TIMEOUT = 15
KILL_GRACE = 3.0  # a request started this long after a kill returned still counts towards it


class SteadyLoad:
    """Client threads sending keep-alive GETs, alternating the docker-served host and the
    file-served one, until stopped (or `limit` seconds). A wrong status, a wrong answer and a
    transport error are failures, recorded with the time the request started."""

    def __init__(self, port, clients=4, limit=3600):
        self.port, self.limit = port, limit
        self.lock = threading.Lock()
        self.sent = 0
        self.failures = []  # (started, host, detail)
        self.first_seen, self.last_seen = {}, {}  # instance -> monotonic time of a served request
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._loop, args=(i,)) for i in range(clients)]

    def _one(self, c, host):
        c.request("GET", "/api/churn", headers={"Host": host})
        r = c.getresponse()
        body = r.read()
        if r.status != 200:
            raise AssertionError(f"status {r.status}: {body[:80]!r}")
        instance = json.loads(body)["instance"]
        expected = instance.startswith(SERVICE + "-") if host == DOCKER_HOST else instance in FILE_NAMES
        if not expected:
            raise AssertionError(f"answered by {instance}")
        return instance

    def _loop(self, i):
        deadline = time.monotonic() + self.limit
        c, n = None, 0
        while not self._stop.is_set() and time.monotonic() < deadline and n < 10_000_000:
            host = FILE_HOST if (n + i) % 4 == 0 else DOCKER_HOST
            n += 1
            started = time.monotonic()
            try:
                c = c or http.client.HTTPConnection("127.0.0.1", self.port, timeout=CLIENT_TIMEOUT)
                instance = self._one(c, host)
                now = time.monotonic()
                with self.lock:
                    self.sent += 1
                    self.first_seen.setdefault(instance, now)
                    self.last_seen[instance] = now
            except Exception as e:  # a transport error fails the request as much as a wrong status
                with self.lock:
                    self.sent += 1
                    self.failures.append((started, host, repr(e)))
                c.close()
                c = None
            time.sleep(0.002)  # steady, not flat out: the machine is shared
        if c:
            c.close()

    def __enter__(self):
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for t in self._threads:
            t.join(CLIENT_TIMEOUT + 10)


def ask(port, host):
    """The instance that answered one GET, or None."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        c.request("GET", "/api/ready", headers={"Host": host})
        r = c.getresponse()
        body = r.read()
        return json.loads(body)["instance"] if r.status == 200 else None
    finally:
        c.close()


def file_config(i, backends):
    from harness import router, service
    subsets = [(0, 1, 2), (0, 1), (1, 2), (2,), (0, 2)]
    return (router("file", f"Host(`{FILE_HOST}`)", "file") +
            service("file", [backends[k].url for k in subsets[i % len(subsets)]]) +
            (router(f"extra{i}", f"Host(`extra-{i}.localhost`)", "file") if i % 2 else ""))


def wait_served(load, names, since, timeout=20.0):
    """Seconds from `since` until every name served a request; None if one did not in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with load.lock:
            seen = [load.first_seen.get(n) for n in names]
        if all(seen):
            return max(seen) - since
        time.sleep(0.02)
    return None


def run_churn(cycles=50, reloads=20, scale=2, kill_every=5, clients=4, log=print):
    """Runs the churn against the image of docker_harness (built by the caller) and returns a
    summary dict; its "problems" list is empty when nothing failed."""
    import docker_harness as dh
    from harness import Backend, Sluice, entry_point, wait_until

    backends = [Backend(n) for n in FILE_NAMES]
    s = Sluice(entry_point() + "[providers.docker]\n", file_config(0, backends), workers=2)
    problems, kill_windows, timings = [], [], collections.defaultdict(list)
    reload_at = collections.Counter(r * max(cycles, 1) // max(reloads, 1) for r in range(reloads))
    edits = 0
    try:
        s.wait_for(r"provider docker: watching")
        dh.replica(PROJECT, SERVICE, 0, labels=replica_labels(scale))  # the steady replica: the service never has no server
        if not wait_until(lambda: ask(s.port, DOCKER_HOST) == f"{SERVICE}-0", 30):
            raise AssertionError("the steady replica never served a request")
        with SteadyLoad(s.port, clients) as load:
            for cycle in range(max(cycles, 1 if reloads else 0)):
                failed_before = len(load.failures)
                line = f"cycle {cycle + 1:3}"
                if cycle < cycles:
                    names = [f"{SERVICE}-{cycle + 1}x{k}" for k in range(scale)]
                    began = time.monotonic()
                    for k in range(scale):
                        dh.replica(PROJECT, SERVICE, f"{cycle + 1}x{k}", labels=replica_labels(scale))
                    ran = time.monotonic() - began
                    ready = wait_served(load, names, began)
                    if ready is None:
                        problems.append(f"cycle {cycle + 1}: a new replica got no request within 20 s")
                    time.sleep(0.3)  # some requests on pooled connections to the new replicas
                    line += f"  up: docker run {ran * 1000:5.0f} ms, all serving after " + \
                        (f"{ready * 1000:5.0f} ms" if ready is not None else "NEVER")
                for _ in range(reload_at[cycle]):
                    edits += 1
                    mark, wrote = len(s.lines), time.monotonic()
                    s.write_dynamic(file_config(edits, backends))
                    try:
                        s.wait_for(r"configuration \d+ applied", 10, mark)
                        timings["reload"].append(time.monotonic() - wrote)
                        line += f"  reload {(time.monotonic() - wrote) * 1000:4.0f} ms"
                    except AssertionError:
                        problems.append(f"file edit {edits} was not applied within 10 s")
                        line += "  reload NOT APPLIED"
                if cycle < cycles:
                    mode = "stop"
                    if kill_every and (cycle + 1) % kill_every == 0:
                        mode = "rm -f" if (cycle + 1) // kill_every % 2 else "kill"
                    containers = [dh.cname(n) for n in names]
                    began = time.monotonic()
                    if mode == "stop":
                        dh.docker("stop", "-t", "10", *containers)
                    elif mode == "kill":
                        dh.docker("kill", *containers)
                    else:
                        dh.docker("rm", "-f", *containers)
                    down = time.monotonic() - began
                    if mode != "stop":
                        kill_windows.append((began - 1.0, time.monotonic() + KILL_GRACE))
                    time.sleep(0.5)
                    with load.lock:
                        last = max((load.last_seen.get(n, 0.0) for n in names), default=0.0)
                    if mode != "rm -f":
                        dh.docker("rm", *containers)
                    timings[mode].append(down)
                    timings["up"].append(ready or 0.0)
                    line += f"  down ({mode:5}): docker {down * 1000:5.0f} ms, last request to them " + \
                        f"{(last - began) * 1000:+5.0f} ms"
                log(f"{line}  requests {load.sent}, failed {len(load.failures) - failed_before}")
            sent, failures = load.sent, list(load.failures)
    finally:
        s.stop()
        for b in backends:
            b.stop()
        dh.cleanup()
    in_kill = [f for f in failures if any(a <= f[0] <= b for a, b in kill_windows)]
    other = [f for f in failures if f not in in_kill]
    if other:
        problems.append(f"{len(other)} requests failed outside kill cycles")
    if in_kill:
        problems.append(f"{len(in_kill)} GETs failed during kill cycles (sluice could have retried them)")
    return {"sent": sent, "failed": other, "failed_in_kill": in_kill, "problems": problems,
            "timings": timings, "edits": edits, "cycles": cycles}


def summary(result):
    lines = [f"requests: {result['sent']} sent; failed: {len(result['failed'])} in stop/scale-up/reload phases, "
             f"{len(result['failed_in_kill'])} during kill cycles"]
    for started, host, detail in (result["failed"] + result["failed_in_kill"])[:20]:
        lines.append(f"  failed GET {host}: {detail}")
    for name, values in sorted(result["timings"].items()):
        if values:
            ms = sorted(v * 1000 for v in values)
            lines.append(f"{name:6} x{len(ms):3}: median {ms[len(ms) // 2]:5.0f} ms, max {ms[-1]:5.0f} ms")
    lines.append("verdict: " + ("PASS" if not result["problems"] else "FAIL: " + "; ".join(result["problems"])))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "build"))
    ap.add_argument("--cycles", type=int, default=50)
    ap.add_argument("--reloads", type=int, default=20)
    ap.add_argument("--scale", type=int, default=2, help="replicas added and removed per cycle")
    ap.add_argument("--kill-every", type=int, default=5, help="every Nth cycle kills instead of stopping (0: never)")
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()
    os.environ["SLUICE_BUILD_DIR"] = os.path.abspath(args.build)
    import docker_harness as dh

    dh.build_image()
    try:
        started = time.monotonic()
        result = run_churn(args.cycles, args.reloads, args.scale, args.kill_every, args.clients,
                           log=lambda line: print(line, flush=True))
        print(f"\n{args.cycles} scale cycles, {result['edits']} file edits in {time.monotonic() - started:.0f} s")
        print(summary(result))
    finally:
        dh.cleanup()
        dh.remove_image()
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
