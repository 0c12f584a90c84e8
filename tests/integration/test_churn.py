"""Scaling a docker service up and down and editing the dynamic file, under steady load,
fails no request (the bounded form of bench/churn.py, which runs the same code)."""
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

    def test_scale_cycles_and_file_edits_under_load_fail_no_request(self):
        lines = []
        result = churn.run_churn(cycles=10, reloads=10, scale=2, kill_every=5, clients=4, log=lines.append)
        report = "\n".join(lines) + "\n" + churn.summary(result)
        print("\n" + report, file=sys.stderr)
        self.assertEqual(result["problems"], [], report)
        self.assertEqual(result["edits"], 10)
        self.assertGreater(result["sent"], 500, report)  # the load really ran throughout


if __name__ == "__main__":
    unittest.main()
