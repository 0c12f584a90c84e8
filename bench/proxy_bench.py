#!/usr/bin/env python3
"""Throughput and latency of sluice against nginx and HAProxy, measured in the same run.

All three proxies run one worker with keep-alive upstream pools and access logs off, in
front of the same two demo backends balanced round robin. wrk and the backends share CPU 0;
the proxy under test has CPU 1 to itself. Every (size, concurrency) cell is measured for
each target in turn, repeated and interleaved, and the best run of each is kept.

The last cell, "5 B new", is the connection rate: every request on a new connection
(Connection: close), 50 in flight.

Usage: bench/proxy_bench.py [--build build] [--duration 5] [--repeat 2]
Needs: wrk, nginx (nginx-light), haproxy, taskset; ./test.sh or cmake has built sluice.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from peers import free_port, proxy_commands

SIZES = [("5 B", 5), ("1 KiB", 1024), ("64 KiB", 65536)]
CONCURRENCY = [1, 50, 200]
# (label, body size, concurrency, new connection per request): the keep-alive grid, then the
# connection rate (wrk sends Connection: close and reconnects after every response).
CELLS = [(label, size, conns, False) for label, size in SIZES for conns in CONCURRENCY] + [("5 B new", 5, 50, True)]


def wait_port(port, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


def to_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def peak_rss_kib(pid):
    total = 0
    pids = [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                                     text=True).stdout.split()]
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


class Target:
    def __init__(self, name, args, port, cpu="1", cwd=None):
        self.name, self.port = name, port
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(["taskset", "-c", cpu, *args], stdout=subprocess.DEVNULL, stderr=self.log,
                                     cwd=cwd)
        try:
            wait_port(port)
        except RuntimeError:
            self.log.seek(0)
            raise RuntimeError(f"{name} did not start: {self.log.read().decode(errors='replace')[-2000:]}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def wrk(port, path, connections, duration, close=False):
    extra = ["-H", "Connection: close"] if close else []
    out = subprocess.run(["taskset", "-c", "0", "wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency",
                          "-H", "Host: bench.localhost", *extra, f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, timeout=duration + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors or "Socket errors" in out:
        print(f"  warning: errors against port {port}: {out.strip().splitlines()[-3:]}")
    return rps, p50, p99


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "build"))
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    for tool in ("wrk", "nginx", "haproxy", "taskset"):
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
            raise SystemExit(f"{tool} is missing: apt-get install wrk nginx-light haproxy util-linux")

    work = tempfile.mkdtemp(prefix="sluice-bench-")
    backends = [free_port(), free_port()]
    procs = []
    try:
        for i, port in enumerate(backends):
            procs.append(Target(f"backend{i}", [os.path.join(args.build, "bin", "demo-backend"), "--port",
                                                str(port), "--name", f"b{i}"], port, cpu="0"))
        targets = proxy_commands(work, os.path.join(args.build, "bin", "sluice"), backends)
        running = {}
        for name, (cmd, port) in targets.items():
            running[name] = Target(name, list(cmd), port)
            procs.append(running[name])  # stopped in `finally` even if a later one fails
        order = ["direct"] + list(running)
        results = {}
        for rep in range(args.repeat):
            for label, size, conns, close in CELLS:
                for name in (order if rep % 2 == 0 else list(reversed(order))):
                    port = backends[0] if name == "direct" else running[name].port
                    r = wrk(port, f"/bytes/{size}", conns, args.duration, close)
                    key = (label, conns, name)
                    if key not in results or r[0] > results[key][0]:
                        results[key] = r
        rss = {name: peak_rss_kib(t.proc.pid) for name, t in running.items()}

        print(f"\n{'size':7} {'conns':>5}  {'target':8} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8}"
              f"  {'vs nginx':>8} {'vs haproxy':>10}")
        for label, _, conns, _ in CELLS:
            for name in order:
                rps, p50, p99 = results[(label, conns, name)]
                line = f"{label:7} {conns:5}  {name:8} {rps:10.0f} {p50:8.3f} {p99:8.3f}"
                if name in ("sluice", "nginx", "haproxy"):
                    line += f"  {rps / results[(label, conns, 'nginx')][0]:8.2f}"
                    line += f" {rps / results[(label, conns, 'haproxy')][0]:10.2f}"
                print(line)
        print("\npeak RSS (KiB): " + ", ".join(f"{n} {v}" for n, v in rss.items()))
        print(f"({args.repeat} interleaved runs of {args.duration}s per cell, best kept; "
              "wrk + backends on CPU 0, proxy on CPU 1)")
    finally:
        for p in reversed(procs):
            p.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
