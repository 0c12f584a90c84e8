#!/usr/bin/env python3
"""User-space instructions per request of one sluice worker, counted by callgrind.

Runs sluice (one worker) under valgrind --tool=callgrind in front of two demo backends on
127.0.0.1, sends N keep-alive GET requests one at a time, and repeats with 2N; the
difference divided by N is the cost of one request without start-up and shutdown.
Repeatable to about 0.1 %, unlike req/s on a shared machine. Then, without valgrind,
counts sluice's system calls (perf, raw_syscalls:sys_enter) over N requests.

  python3 bench/cpu_per_request.py [--sluice build/bin/sluice] [--requests 2000] [--path /health]
"""
import argparse
import http.client
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
from harness import DEMO, Backend, free_port, router, service  # noqa: E402


def start(sluice, static, port, wrapper=()):
    return subprocess.Popen([*wrapper, sluice, "--config", static, "--workers", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def connect(port, path):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path, headers={"Host": "bench.localhost"})
            conn.getresponse().read()
            return conn
        except OSError:
            time.sleep(0.2)
    raise SystemExit("sluice did not answer")


def send(conn, path, requests):
    for _ in range(requests):
        conn.request("GET", path, headers={"Host": "bench.localhost"})
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            raise SystemExit(f"status {r.status}")


def write_config(d, port, backends):
    static = os.path.join(d, "sluice.toml")
    with open(static, "w") as f:
        f.write(f'[entryPoints.web]\naddress = "127.0.0.1:{port}"\n[log]\nlevel = "warn"\n'
                + router("b", "Host(`bench.localhost`)", "b") + service("b", [b.url for b in backends]))
    return static


def syscalls(sluice, requests, path, backends):
    with tempfile.TemporaryDirectory(prefix="sluice-sys-") as d:
        port = free_port()
        proc = start(sluice, write_config(d, port, backends), port)
        try:
            conn = connect(port, path)
            send(conn, path, 200)  # warm: pooled upstream connections
            out = os.path.join(d, "perf.txt")
            perf = subprocess.Popen(["perf", "stat", "-x,", "-o", out, "-e", "raw_syscalls:sys_enter",
                                     "-p", str(proc.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
            send(conn, path, requests)
            perf.send_signal(2)
            perf.wait(30)
            conn.close()
            with open(out) as f:
                m = re.search(r"^(\d+),", f.read(), re.M)
            return int(m.group(1)) / requests if m else float("nan")
        finally:
            proc.terminate()
            proc.wait(30)


def run_once(sluice, requests, path, backends):
    with tempfile.TemporaryDirectory(prefix="sluice-cpu-") as d:
        port = free_port()
        out = os.path.join(d, "callgrind.out")
        proc = start(sluice, write_config(d, port, backends), port,
                     ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"])
        try:
            conn = connect(port, path)
            send(conn, path, requests)
            conn.close()
        finally:
            proc.terminate()
            proc.wait(60)
        with open(out) as f:
            text = f.read()
        m = re.search(r"^summary:\s+(\d+)", text, re.M) or re.search(r"^totals:\s+(\d+)", text, re.M)
        return int(m.group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sluice", default=os.path.join(os.path.dirname(DEMO), "sluice"))
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--path", default="/health", help="/health answers 3 bytes; /bytes/N answers N")
    args = ap.parse_args()
    path = args.path
    backends = [Backend("c1"), Backend("c2")]
    try:
        small = run_once(args.sluice, args.requests, path, backends)
        large = run_once(args.sluice, 2 * args.requests, path, backends)
        calls = syscalls(args.sluice, args.requests, path, backends)
    finally:
        for b in backends:
            b.stop()
    print(f"{args.sluice}: {path}: {(large - small) / args.requests:.0f} instructions per request "
          f"({args.requests} vs {2 * args.requests} requests); {calls:.1f} system calls per request")


if __name__ == "__main__":
    main()
