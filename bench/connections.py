#!/usr/bin/env python3
"""Memory per idle keep-alive connection of sluice, nginx and HAProxy, side by side.

Each proxy runs as one process with one worker (bench/peers.py) in front of the same two
demo backends. Per round, N clients each send one request over keep-alive and then stay
idle; the proxy's RSS is read with them open and again after they all closed. Rounds show
whether memory comes back and stays flat.

Then a slowloris: N connections that each send a request head one header line every half
second, never finishing it, while wrk (50 connections, 3 s) measures a normal client's
req/s through the same proxy; printed against the same client's req/s without them.

  python3 bench/connections.py [--build build] [--connections 2000] [--rounds 3]
                               [--proxies sluice,nginx,haproxy] [--slowloris 2000]
"""
import argparse
import re
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
from harness import Backend, rss_kib  # noqa: E402
from peers import proxy_commands  # noqa: E402

REQUEST = b"GET /bytes/5 HTTP/1.1\r\nHost: bench.localhost\r\n\r\n"


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def one_exchange(sock):
    sock.sendall(REQUEST)
    data = b""
    while not data.endswith(b"\r\n\r\n") and b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError("closed before answering")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0].split(b":")[1])
    while len(body) < length:
        body += sock.recv(4096)
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(head.split(b"\r\n")[0])


def wait_listening(port, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on port {port}")


def measure(argv, port, connections, rounds):
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=raise_fd_limit)
    try:
        wait_listening(port)
        warm = socket.create_connection(("127.0.0.1", port))
        for _ in range(100):
            one_exchange(warm)
        warm.close()
        time.sleep(0.5)
        start = rss_kib(proc.pid)
        out = []
        for _ in range(rounds):
            socks = []
            for _ in range(connections):
                s = socket.create_connection(("127.0.0.1", port))
                one_exchange(s)
                socks.append(s)
            time.sleep(0.5)
            held = rss_kib(proc.pid)
            for s in socks:
                s.close()
            time.sleep(1.0)
            out.append((held, rss_kib(proc.pid)))
        return start, out
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def wrk_rps(port, seconds=3):
    out = subprocess.run(["wrk", "-t1", "-c50", f"-d{seconds}s", "-H", "Host: bench.localhost",
                          f"http://127.0.0.1:{port}/bytes/5"], capture_output=True, text=True,
                         timeout=seconds + 60).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def slowloris(argv, port, connections):
    """A normal client's req/s without, then during, `connections` slow request heads."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=raise_fd_limit)
    socks = []
    stop = threading.Event()
    try:
        wait_listening(port)
        alone = wrk_rps(port)
        for _ in range(connections):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET /bytes/5 HTTP/1.1\r\nHost: bench.localhost\r\n")
            socks.append(s)

        def trickle():
            # Bounded: a line per connection every half second until the measurement ends.
            for _ in range(120):
                if stop.wait(0.5):
                    return
                for s in socks:
                    try:
                        s.send(b"X-Slow: 1\r\n")
                    except OSError:
                        pass

        t = threading.Thread(target=trickle, daemon=True)
        t.start()
        time.sleep(1)
        during = wrk_rps(port)
        stop.set()
        t.join(10)
        return alone, during
    finally:
        stop.set()
        for s in socks:
            s.close()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "build"))
    ap.add_argument("--connections", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--proxies", default="sluice,nginx,haproxy")
    ap.add_argument("--slowloris", type=int, default=2000, help="slow connections (0: skip)")
    args = ap.parse_args()
    raise_fd_limit()
    names = args.proxies.split(",")
    backends = [Backend("m1"), Backend("m2")]
    work = tempfile.mkdtemp(prefix="sluice-conns-")
    try:
        commands = proxy_commands(work, os.path.join(args.build, "bin", "sluice"), [b.port for b in backends])
        print(f"{'proxy':<8} {'start MiB':>9} {'KiB/idle conn':>13}  rounds: MiB with {args.connections} open "
              f"-> after they closed")
        for name in names:
            argv, port = commands[name]
            start, rounds = measure(argv, port, args.connections, args.rounds)
            per = (rounds[0][0] - start) / args.connections
            trail = "  ".join(f"{h / 1024:.1f}->{a / 1024:.1f}" for h, a in rounds)
            print(f"{name:<8} {start / 1024:>9.1f} {per:>13.2f}  {trail}")
        if args.slowloris and shutil.which("wrk"):
            print(f"\n{'proxy':<8} {'req/s alone':>11} {'with ' + str(args.slowloris) + ' slow heads':>22} {'change':>7}")
            for name in names:
                argv, port = commands[name]
                alone, during = slowloris(argv, port, args.slowloris)
                print(f"{name:<8} {alone:>11.0f} {during:>22.0f} {during / alone - 1:>+7.1%}")
    finally:
        for b in backends:
            b.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
