"""A plugin's fault never takes the proxy down: each hook of each kind throws in turn."""
import http.client
import os
import re
import time
import unittest
import urllib.request

from harness import BUILD, FIXTURES, SLUICE, Backend, Sluice, entry_point, free_port, router, service, run

PLUGINS = f'[plugins]\npaths = ["{FIXTURES}", "{BUILD}/lib/sluice/plugins"]\n'


def middleware(name, hook):
    return f'[http.middlewares.{name}.faulty]\nthrowIn = "{hook}"\n'


class PluginFaults(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.backend = Backend("b1")
        url = cls.backend.url
        dyn = (router("ok", "Host(`ok.localhost`)", "ok") + service("ok", [url]) +
               router("req", "Host(`req.localhost`)", "ok", 'middlewares = ["throws-request"]') +
               router("resp", "Host(`resp.localhost`)", "ok", 'middlewares = ["throws-response"]') +
               router("local", "Host(`local.localhost`)", "ok", 'middlewares = ["throws-response", "answers"]') +
               router("pick", "Host(`pick.localhost`)", "pick") +
               router("picked", "Host(`picked.localhost`)", "picked") +
               middleware("throws-request", "on_request") + middleware("throws-response", "on_response") +
               '[http.middlewares.answers.faulty]\ntag = "answer"\n' +
               f'[http.services.pick.loadBalancer]\nstrategy = "faulty-balancer"\nservers = [{{ url = "{url}" }}]\n'
               '[http.services.pick.loadBalancer.faulty-balancer]\nthrowIn = "pick"\n'
               f'[http.services.picked.loadBalancer]\nstrategy = "faulty-balancer"\nservers = [{{ url = "{url}" }}]\n'
               '[http.services.picked.loadBalancer.faulty-balancer]\nthrowIn = "on_response"\n'
               '[http.middlewares.throws-create.faulty]\nthrowIn = "create"\n'
               f'[http.services.throws-picker.loadBalancer]\nstrategy = "faulty-balancer"\nservers = [{{ url = "{url}" }}]\n'
               '[http.services.throws-picker.loadBalancer.faulty-balancer]\nthrowIn = "create_picker"\n')
        cls.api_port = free_port()
        cls.sluice = Sluice(entry_point() + PLUGINS + f'[api]\naddress = "127.0.0.1:{cls.api_port}"\n'
                            '[providers.broken]\nplugin = "faulty-provider"\nthrowIn = "start"\n', dyn)

    @classmethod
    def tearDownClass(cls):
        cls.sluice.stop()
        cls.backend.stop()

    def get(self, host, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.sluice.port, timeout=10)
        c.request("GET", "/api/", headers={"Host": host, **(headers or {})})
        r = c.getresponse()
        body = r.read()
        c.close()
        return r, body

    def metrics(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.api_port}/metrics", timeout=10) as r:
            return r.read().decode()

    def test_a_middleware_that_throws_on_request_answers_500_and_the_proxy_keeps_serving(self):
        for _ in range(3):
            r, body = self.get("req.localhost")
            self.assertEqual(r.status, 500)
            self.assertEqual(body, b"internal server error\n")
        self.assertEqual(self.get("ok.localhost")[0].status, 200)
        self.assertEqual(self.sluice.proc.poll(), None)
        self.sluice.wait_for(r"middleware plugin faulty \(instance throws-request@file\) failed in on_request: .*stoi")

    def test_a_middleware_that_throws_on_response_answers_500(self):
        r, body = self.get("resp.localhost")
        self.assertEqual(r.status, 500)
        self.assertEqual(body, b"internal server error\n")
        # On a local reply too.
        r, body = self.get("local.localhost", {"X-Fixture-Reply": "answer"})
        self.assertEqual(r.status, 500)
        self.assertEqual(self.get("ok.localhost")[0].status, 200)
        self.sluice.wait_for(r"middleware plugin faulty \(instance throws-response@file\) failed in on_response")

    def test_a_picker_that_throws_lets_the_host_choose_a_healthy_server(self):
        r, body = self.get("pick.localhost")
        self.assertEqual(r.status, 200)
        self.assertIn(b'"instance":"b1"', body)
        self.sluice.wait_for(r"balancer plugin faulty-balancer \(instance pick@file\) failed in pick")

    def test_a_picker_response_hook_that_throws_leaves_the_response_alone(self):
        r, body = self.get("picked.localhost")
        self.assertEqual(r.status, 200)
        self.sluice.wait_for(r"balancer plugin faulty-balancer \(instance picked@file\) failed in on_response")

    def test_creation_errors_name_the_plugin_and_instance(self):
        self.sluice.wait_for(r'middleware throws-create@file disabled: .*http\.middlewares\.throws-create\.faulty: '
                             r'plugin "faulty" \(instance throws-create@file\) threw: .*stoi')
        self.sluice.wait_for(r'service throws-picker@file disabled: .*plugin "faulty-balancer" '
                             r'\(instance throws-picker@file\) threw: .*stoi')

    def test_a_provider_that_throws_on_start_is_reported_and_the_rest_serves(self):
        self.sluice.wait_for(r"provider plugin faulty-provider \(instance broken\) failed in start")
        self.sluice.wait_for(r"provider broken failed to start")
        self.assertEqual(self.get("ok.localhost")[0].status, 200)

    def test_providers_are_stopped_when_the_proxy_cannot_listen(self):
        # The entry point's port is taken: the proxy gives up after its providers started,
        # and still stops them (this one reports, from its stop, that it was called).
        import socket
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            config = os.path.join(self.sluice.dir.name, "busy.toml")
            with open(config, "w") as f:
                f.write(entry_point(taken.getsockname()[1]) + PLUGINS +
                        '[providers.halted]\nplugin = "faulty-provider"\nthrowIn = "stop"\n')
            r = run([SLUICE, "--config", config, "--workers", "1"], timeout=30)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertRegex(r.stdout + r.stderr, r"provider plugin faulty-provider \(instance halted\) failed in stop")

    def test_faults_are_counted_in_metrics_and_logged_once_per_burst(self):
        before = len(re.findall(r"failed in on_request", self.sluice.output()))
        for _ in range(20):
            self.assertEqual(self.get("req.localhost")[0].status, 500)
        time.sleep(0.2)
        after = len(re.findall(r"instance throws-request@file\) failed in on_request", self.sluice.output()))
        self.assertLessEqual(after - before, 1, "a burst of faults is logged once")
        m = re.search(r'sluice_plugin_faults_total\{plugin="faulty",kind="middleware",'
                      r'instance="throws-request@file",hook="on_request"\} (\d+)', self.metrics())
        self.assertIsNotNone(m)
        self.assertGreaterEqual(int(m.group(1)), 20)


if __name__ == "__main__":
    unittest.main()
