#!/usr/bin/env python3
"""Soak: minutes of mixed traffic against ONE sluice with three demo backends, all on 127.0.0.1.

Traffic: good requests (GETs of small and large bodies, HEAD, POSTs with a length or
chunked, keep-alive and Connection: close, HTTP/1.0, slow but valid bodies, a granted
Upgrade tunnel), malformed requests over raw sockets, slow clients (slowloris heads,
stalled bodies, readers that stop reading) and an edit of the watched dynamic file every
few seconds (servers and routers added and removed, some edits invalid).

Bounds, checked at the end (exit status 1 when one is broken):
  - every good request answered as expected (a wrong status or a connection error fails it);
  - every malformed request refused (4xx, or the connection closed) within the client
    timeout; one with no answer and no close is counted as a hang;
  - every slow client cut off by sluice's timeouts;
  - every file edit acknowledged in sluice's log (applied, or rejected when invalid);
  - RSS after the run within +10 % of RSS after the warm-up (both measured idle);
  - open file descriptors back to the post-warm-up baseline once the clients are gone.

Usage: bench/soak.py [--build build] [--minutes 10] [--warmup 60] [--clients 6]
"""
import argparse
import collections
import http.client
import os
import random
import re
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
from soak_traffic import (CLIENT_TIMEOUT, FRESH_KINDS, HOST, KEEP_ALIVE, KEEP_ALIVE_KINDS, NAMES, SLOW,  # noqa: E402
                          TIMEOUT, WS_HOST, malformed_request, malformed_verdict, raw_outcome, slow_verdict)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.good = collections.Counter()
        self.good_failures = []  # (kind, detail)
        self.outcomes = {"malformed": collections.defaultdict(collections.Counter),
                         "slow": collections.defaultdict(collections.Counter)}
        self.reloads = collections.Counter()

    def good_done(self, kind, failure=None):
        with self.lock:
            self.good[kind] += 1
            if failure is not None:
                self.good_failures.append((kind, failure))

    def outcome(self, table, name, result):
        with self.lock:
            self.outcomes[table][name][result] += 1


# ---- the dynamic file ------------------------------------------------------------------------

def dynamic(i, backends, ws_url):
    """Edit number i: the server set and the extra routers change every time."""
    from harness import router, service
    subsets = [(0, 1, 2), (0, 1), (1, 2), (2, 0), (0,), (1, 2, 0)]
    text = router("soak", f"Host(`{HOST}`)", "main") + service("main", [backends[k].url for k in subsets[i % 6]])
    text += router("ws", f"Host(`{WS_HOST}`)", "ws") + service("ws", [ws_url])
    text += router(f"gen{i}", f"Host(`gen-{i}.localhost`)", "main")  # every edit differs
    for k in range(i % 4):
        text += router(f"extra{k}", f"Host(`extra{k}.localhost`)", f"extra{k}")
        text += service(f"extra{k}", [backends[k % 3].url])
    if i % 11 == 5:
        text += router("broken", "Host(`broken.localhost`", "main")  # disabled, the rest applies
    if i % 7 == 3:
        text = "[http.routers.soak\nrule = oops\n"  # rejected, the previous configuration stays
    return text


# ---- the run ---------------------------------------------------------------------------------

class Traffic:
    """Client threads of every kind until stop() or `limit` seconds; each loop also has a count bound."""

    def __init__(self, port, stats, clients, limit, seed):
        self.port, self.stats, self.limit = port, stats, limit
        self.stop_event = threading.Event()
        workers = [self.good] * clients + [self.malformed] * 2 + [self.slow] * 2
        self.threads = [threading.Thread(target=w, args=(random.Random(seed + i),)) for i, w in enumerate(workers)]

    def running(self, deadline, i, bound=1_000_000):
        return not self.stop_event.is_set() and time.monotonic() < deadline and i < bound

    def good(self, rnd):
        deadline = time.monotonic() + self.limit
        kinds = KEEP_ALIVE_KINDS + FRESH_KINDS
        c, i = None, 0
        while self.running(deadline, i):
            i += 1
            kind = rnd.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
            try:
                if kind in KEEP_ALIVE:
                    if c is not None and rnd.random() < 0.02:  # keep-alive connections, renewed now and then
                        c.close()
                        c = None
                    c = c or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                    kind(c, rnd)
                else:
                    kind(self.port, rnd)
                self.stats.good_done(kind.__name__)
            except Exception as e:  # a transport error fails the request as much as a wrong status
                self.stats.good_done(kind.__name__, repr(e))
                if c is not None:
                    c.close()
                c = None
            time.sleep(0.002)
        if c is not None:
            c.close()

    def malformed(self, rnd):
        deadline = time.monotonic() + self.limit
        i = 0
        while self.running(deadline, i):
            i += 1
            name, data = malformed_request(rnd)
            try:
                result = raw_outcome(self.port, [data], read_more=True)
            except OSError as e:
                result = f"connect error {e.errno}"
            self.stats.outcome("malformed", name, result)
            time.sleep(0.02)

    def slow(self, rnd):
        deadline = time.monotonic() + self.limit
        i = 0
        while self.running(deadline, i, 10_000):
            i += 1
            name = rnd.choice(list(SLOW))
            try:
                result = SLOW[name](self.port, rnd)
            except OSError as e:
                result = f"connect error {e.errno}"
            self.stats.outcome("slow", name, result)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        for t in self.threads:
            t.join(3 * CLIENT_TIMEOUT + 30)


class Reloads:
    """Edits the dynamic file every `interval` seconds until the block ends (or `limit` seconds)
    and checks that sluice acknowledges each edit in its log."""

    def __init__(self, s, backends, ws_url, stats, limit, interval, first=1):
        self.args = (s, backends, ws_url, stats, limit, interval, first)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop)

    def _loop(self):
        s, backends, ws_url, stats, limit, interval, i = self.args
        deadline = time.monotonic() + limit
        while not self.stop.wait(interval) and time.monotonic() < deadline and i < 1_000_000:
            i += 1
            mark = len(s.lines)
            s.write_dynamic(dynamic(i, backends, ws_url))
            try:
                m = s.wait_for(r"configuration \d+ applied.*|rejected, the previous one stays in force", 10, mark)
                stats.reloads["rejected" if "rejected" in m.group(0) else "applied"] += 1
            except AssertionError:
                stats.reloads["not acknowledged within 10 s"] += 1

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(30)


def settle(pid, limit=90.0):
    """Waits (at most `limit` seconds: past the 60 s upstream read timeout) until sluice holds
    no TCP connection but its listeners: the clients are gone and the idle upstream connections
    have expired. Returns (open fds, seconds waited, connections still held)."""
    from harness import open_fds, tcp_sockets
    started = time.monotonic()
    while True:
        held = [s for s in tcp_sockets(pid) if s[0] != "LISTEN"]
        waited = time.monotonic() - started
        if not held or waited > limit:
            return len(open_fds(pid)), waited, held
        time.sleep(0.5)


def print_outcomes(title, table, verdict):
    """Prints what each class got; returns how many were hangs and how many unexpected."""
    totals = collections.Counter()
    print(f"{title}: {sum(sum(c.values()) for c in table.values())} sent")
    for name in sorted(table):
        parts = []
        for result, n in table[name].most_common():
            v = verdict(name, result)
            totals[v] += n
            parts.append(f"{result} x{n}" + ("" if v == "ok" else f"  <-- {v.upper()}"))
        print(f"  {name:42} " + ", ".join(parts))
    return totals["hang"], totals["unexpected"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "build"))
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--warmup", type=float, default=60, help="seconds of the same traffic before the baseline")
    ap.add_argument("--clients", type=int, default=6, help="threads sending good requests")
    ap.add_argument("--reload-interval", type=float, default=3.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    os.environ["SLUICE_BUILD_DIR"] = os.path.abspath(args.build)
    from harness import Backend, ScriptedPeer, Sluice, entry_point, open_fds, read_head, rss_kib

    def grant_upgrade(conn):
        if read_head(conn)[0] is None:
            return
        conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
        while data := conn.recv(65536):
            conn.sendall(data)

    static = entry_point(extra=f"""
        [entryPoints.web.transport.respondingTimeouts]
        readTimeout = "{TIMEOUT}s"
        writeTimeout = "{TIMEOUT}s"
        """) + '[serversTransport.forwardingTimeouts]\nidleConnTimeout = "2s"\n'
    backends = [Backend(name) for name in NAMES]
    ws_peer = ScriptedPeer(grant_upgrade)
    s = Sluice(static, dynamic(0, backends, ws_peer.url), workers=args.workers)
    stats, broken = Stats(), []
    seconds = args.minutes * 60
    try:
        print(f"soak: sluice pid {s.proc.pid} on 127.0.0.1:{s.port}, {args.workers} workers, backends "
              f"{', '.join(b.url for b in backends)}; warm-up {args.warmup:.0f} s, run {seconds:.0f} s", flush=True)
        with Traffic(s.port, stats, args.clients, args.warmup + 60, args.seed), \
                Reloads(s, backends, ws_peer.url, stats, args.warmup + 60, args.reload_interval):
            time.sleep(args.warmup)
        fd_start, waited, held = settle(s.proc.pid)
        rss_start = rss_kib(s.proc.pid)
        print(f"after warm-up (idle after {waited:.0f} s): RSS {rss_start} KiB, {fd_start} open fds", flush=True)
        if held:
            broken.append(f"after the warm-up sluice still held {len(held)} connections after {waited:.0f} s")

        started = time.monotonic()
        with Traffic(s.port, stats, args.clients, seconds + 60, args.seed + 1000), \
                Reloads(s, backends, ws_peer.url, stats, seconds + 60, args.reload_interval, first=1000):
            while (left := seconds - (time.monotonic() - started)) > 0 and s.proc.poll() is None:
                time.sleep(min(60.0, left))
                with stats.lock:
                    good, failed = sum(stats.good.values()), len(stats.good_failures)
                print(f"  {time.monotonic() - started:5.0f} s: good {good} (failed {failed}), RSS "
                      f"{rss_kib(s.proc.pid) if s.proc.poll() is None else 0} KiB, reloads "
                      f"{sum(stats.reloads.values())}", flush=True)
        if s.proc.poll() is not None:
            broken.append(f"sluice exited with status {s.proc.returncode} during the run")
            fd_end = rss_end = 0
        else:
            fd_end, waited, held = settle(s.proc.pid)
            rss_end = rss_kib(s.proc.pid)
            print(f"\nsluice idle {waited:.0f} s after the clients stopped"
                  + (f"; still holding {len(held)} connections: {collections.Counter(h[0] for h in held)}"
                     if held else ""))
            if held:
                broken.append(f"sluice still held {len(held)} connections {waited:.0f} s after the clients stopped")

        print(f"good requests: {sum(stats.good.values())} sent, {len(stats.good_failures)} failed  ("
              + ", ".join(f"{k} {n}" for k, n in stats.good.most_common()) + ")")
        for kind, detail in stats.good_failures[:20]:
            print(f"  failed {kind}: {detail}")
        if stats.good_failures:
            broken.append(f"{len(stats.good_failures)} good requests failed")
        hangs, unexpected = print_outcomes("malformed requests", stats.outcomes["malformed"], malformed_verdict)
        if hangs:
            broken.append(f"{hangs} malformed requests hung (no answer and no close until sluice's read timeout, "
                          f"or none within {CLIENT_TIMEOUT} s)")
        if unexpected:
            broken.append(f"{unexpected} malformed requests got an unexpected answer")
        hangs, unexpected = print_outcomes("slow clients", stats.outcomes["slow"], slow_verdict)
        if hangs + unexpected:
            broken.append(f"{hangs + unexpected} slow clients were not cut off by sluice's timeouts")
        print("file edits: " + ", ".join(f"{k} {n}" for k, n in stats.reloads.most_common()))
        if stats.reloads["not acknowledged within 10 s"]:
            broken.append("file edits went unacknowledged")
        growth = 100.0 * (rss_end - rss_start) / rss_start
        print(f"RSS: {rss_start} KiB after warm-up, {rss_end} KiB at the end ({growth:+.1f} %, bound +10 %)")
        if growth > 10:
            broken.append(f"RSS grew {growth:.1f} %")
        print(f"open fds: {fd_start} after warm-up, {fd_end} at the end (bound: back to the baseline)")
        if fd_end > fd_start:
            kinds = collections.Counter(re.sub(r"\[\d+\]", "", f) for f in open_fds(s.proc.pid))
            print("  now open: " + ", ".join(f"{k} x{n}" for k, n in kinds.most_common()))
            broken.append(f"{fd_end - fd_start} more fds open than at the baseline")
    finally:
        s.stop()
        ws_peer.close()
        for b in backends:
            b.stop()
    print("verdict: " + ("PASS" if not broken else "FAIL: " + "; ".join(broken)))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
