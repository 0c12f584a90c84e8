"""slowStart: a server added to a serving service takes a share of new requests that grows
over the window, through the real binary under steady load."""
import collections
import http.client
import json
import threading
import time
import unittest

from harness import Backend, Load, Sluice, entry_point, free_port, router


class SlowStart(unittest.TestCase):
    def setUp(self):
        self.backends = [Backend(f"s{i}") for i in (1, 2, 3)]

    def tearDown(self):
        for b in self.backends:
            b.stop()

    def config(self, count, slow_start):
        servers = ", ".join(f'{{ url = "{b.url}" }}' for b in self.backends[:count])
        return router("demo", "Host(`demo.localhost`)", "demo") + (
            f'[http.services.demo.loadBalancer]\nslowStart = "{slow_start}"\nservers = [{servers}]\n')

    def shares_after_adding_the_third(self, slow_start, seconds):
        """s3's share of the requests in each second after it was added, under load."""
        api_port = free_port()
        s = Sluice(entry_point() + f'[api]\naddress = "127.0.0.1:{api_port}"\n', self.config(2, slow_start), workers=2)
        self.ramps = []  # s3's place in its slow start as the API showed it, each second
        local = threading.local()
        conns = []  # every client connection, closed at the end
        added = [None]

        def one():
            if getattr(local, "conn", None) is None:
                local.conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
                conns.append(local.conn)
            try:
                local.conn.request("GET", "/api/", headers={"Host": "demo.localhost"})
                r = local.conn.getresponse()
                r.read()
            except Exception:
                local.conn.close()
                local.conn = None
                raise
            return r.status, (time.monotonic(), r.getheader("X-Instance"))

        try:
            with Load(one, threads=4, limit=seconds + 10) as load:
                time.sleep(1.0)
                added[0] = time.monotonic()
                s.write_dynamic(self.config(3, slow_start))
                for _ in range(seconds):
                    time.sleep(1.0)
                    self.ramps.append(self.api_service(api_port).get("serverSlowStart", {}).get(self.backends[2].url))
            self.assertEqual(load.failures, [])
            buckets = collections.defaultdict(collections.Counter)
            for at, name in load.served:
                if at >= added[0]:
                    buckets[int(at - added[0])][name] += 1
            shares = [buckets[k]["s3"] / max(1, sum(buckets[k].values())) for k in range(seconds)]
            self.assertGreater(min(sum(buckets[k].values()) for k in range(seconds)), 50, buckets)
            return shares
        finally:
            for c in conns:
                c.close()
            s.stop()

    @staticmethod
    def api_service(api_port):
        c = http.client.HTTPConnection("127.0.0.1", api_port, timeout=10)
        try:
            c.request("GET", "/api/http/services/demo@file")
            return json.loads(c.getresponse().read())
        finally:
            c.close()

    def test_a_new_servers_share_grows_over_the_window(self):
        shares = self.shares_after_adding_the_third("6s", 8)
        print("s3's share per second after it was added (slowStart 6s):", [f"{x:.2f}" for x in shares])
        # Round robin over three gives it a third at once; here it starts near none...
        self.assertLess(shares[0], 0.12, shares)
        # ...and grows: each third of the window above the one before, and after the window
        # it has its full third.
        thirds = [sum(shares[2 * k:2 * k + 2]) / 2 for k in range(3)]
        self.assertLess(thirds[0], thirds[1], shares)
        self.assertLess(thirds[1], thirds[2], shares)
        self.assertGreater(shares[7], 0.25, shares)
        self.assertLess(shares[7], 0.42, shares)
        # The API shows how far into its slow start it is, and nothing once it is through.
        print("and the API's serverSlowStart:", self.ramps)
        self.assertTrue(0.0 < self.ramps[2] < 0.7, self.ramps)
        self.assertLess(self.ramps[1], self.ramps[3], self.ramps)
        self.assertIsNone(self.ramps[7], self.ramps)

    def test_without_slow_start_the_new_server_takes_its_share_at_once(self):
        shares = self.shares_after_adding_the_third("0s", 3)
        self.assertGreater(shares[1], 0.25, shares)


if __name__ == "__main__":
    unittest.main()
