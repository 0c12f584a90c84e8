#!/usr/bin/env python3
"""CPU work per request of sluice, nginx and HAProxy, side by side, in one run.

Each proxy runs as one process with one worker (bench/peers.py) in front of the same two
demo backends on 127.0.0.1. For each body size:
- user-space instructions per request, counted by valgrind --tool=callgrind: N keep-alive
  GET requests one at a time, then 2N; the difference divided by N is the cost of one
  request without start-up and shutdown (repeatable to about 0.1 %, unlike req/s on a
  shared machine);
- heap allocations per request, from the same two runs: the calls callgrind saw to malloc,
  calloc and realloc (operator new allocates through malloc);
- system calls per request, without valgrind: perf counts raw_syscalls:sys_enter of the
  proxy's process over N requests, after a warm-up that fills the upstream pools.

  python3 bench/cpu_per_request.py [--build build] [--requests 2000] [--sizes 5,1024,65536]
                                   [--proxies sluice,nginx,haproxy] [--keep DIR]

--keep DIR keeps each callgrind profile (DIR/<proxy>-<size>-<requests>.callgrind) for
callgrind_annotate; the difference of the two runs is the profile of the requests alone.
"""
import argparse
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
from harness import Backend  # noqa: E402
from peers import proxy_commands  # noqa: E402


def connect(port, path):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            send(conn, path, 1)
            return conn
        except (OSError, http.client.HTTPException):
            time.sleep(0.2)
    raise SystemExit(f"nothing answers on port {port}")


def send(conn, path, requests):
    for _ in range(requests):
        conn.request("GET", path, headers={"Host": "bench.localhost"})
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            raise SystemExit(f"status {r.status}")


def stop(proc, timeout=60):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


ALLOCATORS = ("malloc", "calloc", "realloc", "memalign", "posix_memalign", "aligned_alloc")
# glibc's own functions between the entry points (memalign may call malloc): not counted twice.
ALLOCATOR_INTERNALS = ALLOCATORS + ("_mid_memalign", "_mid_memalign.constprop.0", "__libc_malloc")


def allocations(callgrind_text):
    """Calls to the C allocator in a callgrind profile, from outside the allocator. Names are
    compressed: the first mention of a function is "(id) name", later ones "(id)"."""
    names = {m.group(1): m.group(2) for m in re.finditer(r"^c?fn=\((\d+)\) (.+)$", callgrind_text, re.M)}
    total, caller, callee = 0, None, None
    for line in callgrind_text.splitlines():
        if line.startswith("fn="):
            caller = names.get(re.match(r"fn=\((\d+)\)", line).group(1))
        elif line.startswith("cfn="):
            callee = names.get(re.match(r"cfn=\((\d+)\)", line).group(1))
        elif line.startswith("calls=") and callee is not None:
            if callee in ALLOCATORS and caller not in ALLOCATOR_INTERNALS:
                total += int(line[6:].split()[0])
            callee = None
    return total


def instructions(argv, port, path, requests, keep=None):
    """Instructions the process executed, and its heap allocations, while serving `requests`
    requests plus start and stop. `keep`: where to copy the profile."""
    with tempfile.TemporaryDirectory(prefix="sluice-cpu-") as d:
        out = os.path.join(d, "callgrind.out")
        proc = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *argv],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            conn = connect(port, path)
            send(conn, path, requests)
            conn.close()
        finally:
            stop(proc)
        with open(out) as f:
            text = f.read()
        if keep:
            shutil.copyfile(out, keep)
        m = re.search(r"^summary:\s+(\d+)", text, re.M) or re.search(r"^totals:\s+(\d+)", text, re.M)
        return int(m.group(1)), allocations(text)


def syscalls(argv, port, path, requests):
    with tempfile.TemporaryDirectory(prefix="sluice-sys-") as d:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            conn = connect(port, path)
            send(conn, path, 200)  # warm: pooled upstream connections
            out = os.path.join(d, "perf.txt")
            perf = subprocess.Popen(["perf", "stat", "-x,", "-o", out, "-e", "raw_syscalls:sys_enter",
                                     "-p", str(proc.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
            send(conn, path, requests)
            perf.send_signal(signal.SIGINT)
            perf.wait(30)
            conn.close()
            with open(out) as f:
                m = re.search(r"^(\d+),", f.read(), re.M)
            return int(m.group(1)) / requests if m else float("nan")
        finally:
            stop(proc)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "build"))
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--sizes", default="5,1024,65536", help="response body sizes (the backend's /bytes/N)")
    ap.add_argument("--proxies", default="sluice,nginx,haproxy")
    ap.add_argument("--keep", help="a folder to keep the callgrind profiles in")
    args = ap.parse_args()
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
    names = args.proxies.split(",")
    for tool in ("valgrind", "perf", *(n for n in names if n != "sluice")):
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
            raise SystemExit(f"{tool} is missing: apt-get install valgrind linux-perf nginx-light haproxy")
    backends = [Backend("c1"), Backend("c2")]
    work = tempfile.mkdtemp(prefix="sluice-peers-")
    try:
        commands = proxy_commands(work, os.path.join(args.build, "bin", "sluice"), [b.port for b in backends])
        rows = []
        for size in (int(s) for s in args.sizes.split(",")):
            path = f"/bytes/{size}"
            for name in names:
                argv, port = commands[name]
                def kept(n):
                    return os.path.join(args.keep, f"{name}-{size}-{n}.callgrind") if args.keep else None
                once, allocs_once = instructions(argv, port, path, args.requests, kept(args.requests))
                twice, allocs_twice = instructions(argv, port, path, 2 * args.requests, kept(2 * args.requests))
                calls = syscalls(argv, port, path, args.requests)
                allocs = (allocs_twice - allocs_once) / args.requests
                rows.append((size, name, (twice - once) / args.requests, allocs, calls))
                print(f"  {name} {path}: {rows[-1][2]:.0f} instructions, {allocs:.1f} allocations, "
                      f"{calls:.1f} system calls per request", file=sys.stderr)
    finally:
        for b in backends:
            b.stop()
        shutil.rmtree(work, ignore_errors=True)

    print(f"{'body':>8}  {'proxy':<8} {'instr/req':>10} {'allocs/req':>10} {'syscalls/req':>13}  "
          f"{'instr vs nginx':>14} {'vs haproxy':>10}")
    by = {(size, name): (instr, calls) for size, name, instr, _, calls in rows}
    for size, name, instr, allocs, calls in rows:
        line = f"{size:>8}  {name:<8} {instr:>10.0f} {allocs:>10.1f} {calls:>13.1f}"
        if (size, "nginx") in by:
            line += f"  {instr / by[(size, 'nginx')][0]:>14.2f}"
        if (size, "haproxy") in by:
            line += f" {instr / by[(size, 'haproxy')][0]:>10.2f}"
        print(line)


if __name__ == "__main__":
    main()
