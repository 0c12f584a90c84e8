"""Heap allocations per request in the steady state, counted by a preloaded allocator hook
(tests/fixtures/count_allocations.cpp): sluice serves N keep-alive requests, then 2N; the
difference over N is what one request costs, start-up and shutdown left out. The budget is
what the data path needs today plus a margin; a change that allocates per request again
fails here. (bench/cpu_per_request.py prints the same figure beside nginx's and HAProxy's.)
Not run under the sanitizers: they own the allocator."""
import http.client
import os
import tempfile
import unittest

from harness import BUILD, Backend, Sluice, entry_point, router, service

HOOK = os.path.join(BUILD, "tests", "fixtures", "count_allocations.so")
# Allocations per request allowed, per body size: about 3 today (coroutine frames larger than
# Asio recycles, 1 KiB, and the few that remain), plus a margin.
BUDGET = {5: 4.5, 65536: 4.5}


def allocations(requests, path, backend):
    with tempfile.TemporaryDirectory(prefix="sluice-allocs-") as d:
        out = os.path.join(d, "count")
        dyn = router("demo", "Host(`demo.localhost`)", "demo") + service("demo", [backend.url])
        env = dict(os.environ, LD_PRELOAD=HOOK, SLUICE_ALLOCATIONS_FILE=out)
        s = Sluice(entry_point(), dyn, workers=1, env=env)
        try:
            c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
            for _ in range(requests):
                c.request("GET", path, headers={"Host": "demo.localhost"})
                r = c.getresponse()
                r.read()
                assert r.status == 200, r.status
            c.close()
        finally:
            s.stop()
        with open(out) as f:
            return int(f.read())


class Allocations(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.backend = Backend("a1")

    @classmethod
    def tearDownClass(cls):
        cls.backend.stop()

    def test_allocations_per_request_stay_within_the_budget(self):
        n = 500
        for size, budget in BUDGET.items():
            path = f"/bytes/{size}"
            per_request = (allocations(2 * n, path, self.backend) - allocations(n, path, self.backend)) / n
            print(f"{size} B: {per_request:.2f} allocations per request (budget {budget})")
            self.assertLessEqual(per_request, budget, size)
            self.assertGreaterEqual(per_request, 0)


if __name__ == "__main__":
    unittest.main()
