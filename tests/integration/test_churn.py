"""Scaling a docker service up and down and editing the dynamic file under steady load fail
no request: the bounded form of bench/churn.py, running the same code."""
import os
import sys
import unittest

import docker_harness as dh

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench"))
import churn  # noqa: E402


class Churn(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dh.require_docker(cls)
        # The image holds the static demo backend, which sanitizer builds do not have (the
        # docker tests are left out of those builds for the same reason).
        if os.environ.get("SLUICE_SANITIZE"):
            raise unittest.SkipTest("sanitizer build: no static demo backend for the image")
        dh.build_image()

    @classmethod
    def tearDownClass(cls):
        dh.cleanup()
        dh.remove_image()

    def churn(self, **kwargs):
        lines = []
        result = churn.run_churn(scale=2, clients=4, log=lines.append, **kwargs)
        report = "\n".join(lines) + "\n" + churn.summary(result)
        print("\n" + report, file=sys.stderr)
        return result, report

    def test_stopping_replicas_and_editing_the_file_under_load_fail_no_request(self):
        result, report = self.churn(cycles=8, reloads=10, kill_every=0)
        self.assertEqual(result["problems"], [], report)
        self.assertEqual((result["edits"], len(result["timings"]["stop"])), (10, 8))
        self.assertGreater(result["sent"], 500, report)  # the load really ran throughout

    def test_killed_replicas_fail_no_get(self):
        # SIGKILL: no draining, but a GET that found a dead server may go to another one.
        result, report = self.churn(cycles=3, reloads=0, kill_every=1)
        self.assertEqual(result["problems"], [], report)
        self.assertEqual(len(result["timings"]["kill"]) + len(result["timings"]["rm -f"]), 3)


if __name__ == "__main__":
    unittest.main()
