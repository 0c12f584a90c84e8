#!/usr/bin/env python3
"""What each balancing strategy does with an uneven set of servers, through sluice.

Three demo backends on 127.0.0.1: two fast ones and one that adds latency to every answer
(a slow replica: --latency, default 20 ms). For each strategy, sluice (one worker) balances
the three while C client threads (keep-alive, default 16) send GET requests for D seconds
(default 4); printed per strategy: the share of requests each backend answered (from its
X-Instance header), req/s, and p50/p99 latency as the clients saw it. Each client sends its
own X-User header: the rows `hash` and `hash+bound` (boundedLoad = 1.25) hash on it.

  python3 bench/balancers.py [--build build] [--clients 16] [--seconds 4] [--latency 20]
        [--strategies roundrobin,random,leastconn,p2c,leasttime,first,hash,hash+bound]

The clients are Python threads: req/s is what they can drive on this machine, the same for
every strategy, so compare the columns, not the absolute figures.
"""
import argparse
import collections
import http.client
import os
import re
import socket
import subprocess
import tempfile
import threading
import time

from peers import free_port

STRATEGIES = ["roundrobin", "random", "leastconn", "p2c", "leasttime", "first", "hash", "hash+bound"]
# Rows that are a strategy with options: each client sends its own X-User, the hash key.
HASH = '[http.services.bench.loadBalancer.hash]\nkey = "header"\nname = "X-User"\n'
ROWS = {"hash": ("hash", HASH), "hash+bound": ("hash", HASH + "boundedLoad = 1.25\n")}


def start_backend(argv):
    """A demo backend, once it printed its port (it prints nothing else)."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    m = re.search(r"listening on 127\.0\.0\.1:(\d+)", proc.stdout.readline())
    if not m:
        proc.kill()
        raise RuntimeError(f"{argv[0]} did not start")
    return proc, int(m.group(1))


def start_proxy(argv, port):
    """sluice, once its port answers (it logs only warnings here)."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{argv[0]} did not start")


def stop(proc):
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()


def load(port, clients, seconds):
    """Per backend, the requests it answered; every latency in ms; errors."""
    served, latencies, errors = collections.Counter(), [], []
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def client(user):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine, times, failed = collections.Counter(), [], []
        while time.monotonic() < end:
            t0 = time.perf_counter()
            try:
                c.request("GET", "/api/", headers={"Host": "bench.localhost", "X-User": user})
                r = c.getresponse()
                r.read()
                if r.status != 200:
                    failed.append(r.status)
                    continue
                times.append((time.perf_counter() - t0) * 1000)
                mine[r.getheader("X-Instance")] += 1
            except (OSError, http.client.HTTPException) as e:
                failed.append(repr(e))
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.close()
        with lock:
            served.update(mine)
            latencies.extend(times)
            errors.extend(failed)

    threads = [threading.Thread(target=client, args=(f"user{i}",)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return served, sorted(latencies), errors


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p))] if sorted_values else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "build"))
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=4)
    ap.add_argument("--latency", type=int, default=20)
    ap.add_argument("--strategies", default=",".join(STRATEGIES))
    args = ap.parse_args()
    demo = os.path.join(args.build, "bin", "demo-backend")
    sluice = os.path.join(args.build, "bin", "sluice")

    names = ["fast1", "fast2", "slow"]
    backends = []
    try:
        for name in names:
            extra = ["--latency", str(args.latency)] if name == "slow" else []
            backends.append(start_backend([demo, "--port", "0", "--name", name, *extra]))
        servers = ", ".join(f'{{ url = "http://127.0.0.1:{port}" }}' for _, port in backends)
        print(f"{'strategy':11} {'fast1':>7} {'fast2':>7} {'slow':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
        for row in args.strategies.split(","):
            strategy, options = ROWS.get(row, (row, ""))
            with tempfile.TemporaryDirectory() as work:
                path = os.path.join(work, "sluice.toml")
                port = free_port()
                with open(path, "w") as f:
                    f.write(f'[entryPoints.web]\naddress = "127.0.0.1:{port}"\n[log]\nlevel = "warn"\n'
                            f'[http.routers.bench]\nrule = "PathPrefix(`/`)"\nservice = "bench"\n'
                            f'[http.services.bench.loadBalancer]\nstrategy = "{strategy}"\nservers = [{servers}]\n' + options)
                proxy = start_proxy([sluice, "--config", path, "--workers", "1"], port)
                try:
                    load(port, args.clients, 0.5)  # warm the upstream pools
                    served, latencies, errors = load(port, args.clients, args.seconds)
                finally:
                    stop(proxy)
            total = sum(served.values()) or 1
            shares = "".join(f" {100 * served[n] / total:6.1f}%" for n in names)
            print(f"{row:11}{shares} {total / args.seconds:8.0f} {percentile(latencies, 0.5):8.2f}"
                  f" {percentile(latencies, 0.99):8.2f}" + (f"  errors: {len(errors)}" if errors else ""))
        print(f"\n({args.clients} keep-alive clients, {args.seconds:g} s per strategy; "
              f"slow adds {args.latency} ms to every answer)")
    finally:
        for proc, _ in backends:
            stop(proc)


if __name__ == "__main__":
    main()
