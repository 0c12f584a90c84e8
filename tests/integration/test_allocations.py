"""Heap allocations per request in the steady state, counted by a preloaded allocator hook
(tests/fixtures/count_allocations.cpp): sluice serves N keep-alive requests, then 2N; the
difference over N is what one request costs, start-up and shutdown left out. The data
path allocates nothing per request in the steady state; a change that allocates per request
again fails here. (bench/cpu_per_request.py prints the same figure beside nginx's and HAProxy's.)
Not run under the sanitizers: they own the allocator."""
import http.client
import os
import tempfile
import unittest

from harness import BUILD, Backend, Sluice, entry_point, router, service

HOOK = os.path.join(BUILD, "tests", "fixtures", "count_allocations.so")
# Allocations per request allowed, per body size: none today in the steady state (a stray one
# of the control thread's during a run is 1/N here).
BUDGET = {5: 0.5, 65536: 0.5}


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
            once, twice = allocations(n, path, self.backend), allocations(2 * n, path, self.backend)
            # The hook counts: start-up alone allocates hundreds of times.
            self.assertGreater(once, 100)
            per_request = (twice - once) / n
            print(f"{size} B: {per_request:.2f} allocations per request (budget {budget})")
            self.assertLessEqual(per_request, budget, size)


if __name__ == "__main__":
    unittest.main()
