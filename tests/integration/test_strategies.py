"""The bundled balancing strategies through the real binary, over real backends."""
import collections
import http.client
import threading
import time
import unittest

from harness import Backend, Sluice, entry_point, router, service


def instance(port, path="/api/", conn=None):
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", path, headers={"Host": "demo.localhost"})
    r = c.getresponse()
    r.read()
    if conn is None:
        c.close()
    return r.status, r.getheader("X-Instance")


class Strategies(unittest.TestCase):
    def setUp(self):
        self.backends = [Backend(f"s{i}") for i in (1, 2, 3)]

    def tearDown(self):
        for b in self.backends:
            b.stop()

    def serve(self, strategy, servers=None):
        urls = [b.url for b in self.backends] if servers is None else servers
        dyn = router("demo", "Host(`demo.localhost`)", "demo") + service("demo", urls, strategy=strategy)
        return Sluice(entry_point(), dyn, workers=1)

    def test_traefiks_wrr_is_roundrobin(self):
        s = self.serve("wrr")
        try:
            self.assertEqual([instance(s.port)[1] for _ in range(6)], ["s1", "s2", "s3"] * 2)
        finally:
            s.stop()

    def test_first_sends_everything_to_the_first_server_up(self):
        s = self.serve("first")
        try:
            self.assertEqual({instance(s.port)[1] for _ in range(5)}, {"s1"})
            self.backends[0].stop()  # refused from now on: the next server in order answers
            self.assertEqual([instance(s.port) for _ in range(5)], [(200, "s2")] * 5)
        finally:
            s.stop()

    def test_random_spreads_by_weight(self):
        urls = [b.url for b in self.backends[:2]]
        dyn = router("demo", "Host(`demo.localhost`)", "demo") + (
            "[http.services.demo.loadBalancer]\nstrategy = \"random\"\n"
            f'servers = [{{ url = "{urls[0]}", weight = 3 }}, {{ url = "{urls[1]}" }}]\n')
        s = Sluice(entry_point(), dyn, workers=1)
        try:
            c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            counts = collections.Counter(instance(s.port, conn=c)[1] for _ in range(400))
            c.close()
            # 3:1 over 400 draws: s1 300 +- 9 (one standard deviation); 60 is far outside chance.
            self.assertEqual(set(counts), {"s1", "s2"})
            self.assertGreater(counts["s1"], 240)
            self.assertLess(counts["s1"], 360)
            # Not round robin's exact 3:1 either: the order is drawn, not scheduled.
        finally:
            s.stop()

    def test_leastconn_sends_new_requests_away_from_a_busy_server(self):
        s = self.serve("leastconn")
        try:
            # The first request, idle servers, goes to s1 and stays there 3 s.
            slow = {}
            t = threading.Thread(target=lambda: slow.update(r=instance(s.port, "/delay/3000")))
            t.start()
            time.sleep(0.5)  # picked within a millisecond on loopback; it ends at 3 s
            quick = [instance(s.port)[1] for _ in range(6)]
            t.join()
            self.assertEqual(slow["r"], (200, "s1"))
            # Round robin would send two of six to s1; leastconn none while its request runs.
            self.assertNotIn("s1", quick)
            self.assertEqual(collections.Counter(quick), {"s2": 3, "s3": 3})
        finally:
            s.stop()

    def test_p2c_turns_away_from_a_server_after_one_slow_answer(self):
        urls = [b.url for b in self.backends]
        dyn = router("demo", "Host(`demo.localhost`)", "demo") + (
            "[http.services.demo.loadBalancer]\nstrategy = \"p2c\"\n"
            f'servers = [{{ url = "{urls[0]}" }}, {{ url = "{urls[1]}" }}, {{ url = "{urls[2]}" }}]\n'
            "[http.services.demo.loadBalancer.p2c]\ndecay = \"30s\"\n")
        s = Sluice(entry_point(), dyn, workers=1)
        try:
            c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            status, slow = instance(s.port, "/delay/300", conn=c)
            self.assertEqual(status, 200)
            # Its 300 ms is the peak of its cost: every pair of two drawn holds a server that
            # is faster (or not yet tried), so none of the next requests goes there, where
            # round robin or random would send it a third.
            quick = collections.Counter(instance(s.port, conn=c)[1] for _ in range(30))
            c.close()
            self.assertNotIn(slow, quick)
            self.assertEqual(sum(quick.values()), 30)
            self.assertEqual(len(quick), 2)
        finally:
            s.stop()


if __name__ == "__main__":
    unittest.main()
