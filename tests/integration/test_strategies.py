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

    def test_hash_keeps_each_user_on_one_server_and_moves_only_a_stopped_servers_users(self):
        for algorithm in ("rendezvous", "maglev"):
            with self.subTest(algorithm=algorithm):
                backends = [Backend(f"h{i}") for i in range(4)]
                urls = ", ".join(f'{{ url = "{b.url}" }}' for b in backends)
                dyn = router("demo", "Host(`demo.localhost`)", "demo") + (
                    f"[http.services.demo.loadBalancer]\nstrategy = \"hash\"\nservers = [{urls}]\n"
                    "[http.services.demo.loadBalancer.hash]\n"
                    f'key = "header"\nname = "X-User"\nalgorithm = "{algorithm}"\n')
                s = Sluice(entry_point(), dyn, workers=2)
                try:
                    def served(user):
                        c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
                        c.request("GET", "/api/", headers={"Host": "demo.localhost", "X-User": user})
                        r = c.getresponse()
                        r.read()
                        c.close()
                        return r.status, r.getheader("X-Instance")

                    users = [f"user{k}" for k in range(40)]
                    first = {u: served(u) for u in users}
                    self.assertEqual({st for st, _ in first.values()}, {200})
                    self.assertEqual({u: served(u) for u in users}, first)  # new connections, same servers
                    self.assertEqual(len({name for _, name in first.values()}), 4)
                    # h1 stops: its users go elsewhere (the refused attempt retried), nobody else moves.
                    backends[1].stop()
                    after = {u: served(u) for u in users}
                    for u in users:
                        self.assertEqual(after[u][0], 200, u)
                        if first[u][1] != "h1":
                            self.assertEqual(after[u], first[u], u)
                        else:
                            self.assertNotEqual(after[u][1], "h1", u)
                finally:
                    s.stop()
                    for b in backends:
                        b.stop()

    def test_traefiks_hrw_hashes_the_client_address(self):
        s = self.serve("hrw")
        try:
            c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            seen = {instance(s.port, conn=c)[1] for _ in range(10)}
            c.close()
            seen |= {instance(s.port)[1] for _ in range(10)}  # and over new connections
            self.assertEqual(len(seen), 1)
        finally:
            s.stop()


if __name__ == "__main__":
    unittest.main()
