"""Swapping a service's strategy by editing one line, live, under steady load."""
import collections
import http.client
import json
import threading
import time
import unittest

from harness import Backend, Load, Sluice, entry_point, free_port, router, service, wait_until


class StrategySwap(unittest.TestCase):
    def setUp(self):
        self.backends = [Backend(f"w{i}") for i in (1, 2, 3)]

    def tearDown(self):
        for b in self.backends:
            b.stop()

    def config(self, strategy):
        return router("demo", "Host(`demo.localhost`)", "demo") + service(
            "demo", [b.url for b in self.backends], strategy=strategy)

    def test_six_swaps_under_load_lose_nothing_and_each_distribution_follows(self):
        api_port = free_port()
        s = Sluice(entry_point() + f'[api]\naddress = "127.0.0.1:{api_port}"\n', self.config("roundrobin"), workers=2)
        phase = [0]  # the phase a request starts in; -1 while a swap is applying
        local = threading.local()  # each client thread's keep-alive connection

        def one():
            started_in = phase[0]
            if getattr(local, "conn", None) is None:
                local.conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            try:
                local.conn.request("GET", "/api/", headers={"Host": "demo.localhost"})
                r = local.conn.getresponse()
                body = r.read()
            except Exception:
                local.conn.close()
                local.conn = None
                raise
            counted = r.status == 200 and started_in >= 0 and phase[0] == started_in
            return r.status, (started_in, json.loads(body)["instance"]) if counted else None

        def strategy_served():
            c = http.client.HTTPConnection("127.0.0.1", api_port, timeout=10)
            try:
                c.request("GET", "/api/http/services/demo@file")
                return json.loads(c.getresponse().read())["loadBalancer"]["strategy"]
            finally:
                c.close()

        # The initial strategy, then six one-line edits.
        strategies = ["roundrobin", "first", "leastconn", "p2c", "random", "leasttime", "wrr"]
        try:
            with Load(one, threads=4, limit=60) as load:
                time.sleep(1.0)
                for i, strategy in enumerate(strategies[1:], start=1):
                    phase[0] = -1
                    s.write_dynamic(self.config(strategy))
                    meant = "roundrobin" if strategy == "wrr" else strategy
                    self.assertTrue(wait_until(lambda: strategy_served() == meant), strategy)
                    phase[0] = i
                    time.sleep(1.0)
            self.assertEqual(load.failures, [])
            served = collections.defaultdict(collections.Counter)
            for started_in, name in filter(None, load.served):
                served[started_in][name] += 1
            for i, strategy in enumerate(strategies):
                counts = served[i]
                total = sum(counts.values())
                self.assertGreater(total, 50, (strategy, counts))
                if strategy == "first":
                    self.assertEqual(set(counts), {"w1"}, (strategy, counts))
                elif strategy in ("leasttime", "p2c"):
                    # Equal servers: who is fastest moves with microseconds of noise.
                    self.assertGreaterEqual(len(counts), 2, (strategy, counts))
                else:
                    # Spread over all three: each at least a sixth (a third expected).
                    self.assertEqual(set(counts), {"w1", "w2", "w3"}, (strategy, counts))
                    self.assertGreater(min(counts.values()), total / 6, (strategy, counts))
        finally:
            s.stop()


if __name__ == "__main__":
    unittest.main()
