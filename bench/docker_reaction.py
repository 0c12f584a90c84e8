#!/usr/bin/env python3
"""How fast the docker provider reacts, over N runs against the real dockerd:
  start: from `docker run -d` returning to the first request the new container serves;
  stop:  from `docker stop` starting to the last request sent to that container.
Prints median and max of each. Needs a build with demo-backend-static and a running dockerd.

Usage: bench/docker_reaction.py [--build build] [--runs 10]
"""
import argparse
import os
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "build"))
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    os.environ["SLUICE_BUILD_DIR"] = os.path.abspath(args.build)
    import docker_harness as dh
    from harness import Sluice, entry_point
    import http.client, json

    dh.build_image()
    s = Sluice(entry_point() + "[providers.docker]\n", None, workers=2)
    s.wait_for(r"provider docker: watching")

    def ask(host):
        c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=5)
        c.request("GET", "/api/", headers={"Host": host})
        r = c.getresponse()
        body = r.read()
        c.close()
        return json.loads(body)["instance"] if r.status == 200 else None

    starts, stops = [], []
    try:
        dh.replica("bench", "web", 0)  # a steady replica that keeps serving throughout
        while ask("web-bench") != "web-0":
            time.sleep(0.01)
        for run in range(args.runs):
            name = f"web-{run + 1}"
            dh.replica("bench", "web", run + 1)
            returned = time.monotonic()
            deadline = returned + 10
            while time.monotonic() < deadline and ask("web-bench") != name:
                pass
            starts.append((time.monotonic() - returned) * 1000)

            last_seen, stop = [0.0], threading.Event()

            def load():
                while not stop.is_set():
                    if ask("web-bench") == name:
                        last_seen[0] = time.monotonic()

            threads = [threading.Thread(target=load) for _ in range(2)]
            for t in threads:
                t.start()
            time.sleep(0.3)
            began = time.monotonic()
            dh.docker("stop", "-t", "5", dh.cname(name))
            time.sleep(0.3)
            stop.set()
            for t in threads:
                t.join()
            stops.append(max(0.0, (last_seen[0] - began) * 1000))
            dh.docker("rm", "-f", dh.cname(name))
        print(f"start -> first request served: median {statistics.median(starts):.0f} ms, max {max(starts):.0f} ms")
        print(f"stop -> last request sent:     median {statistics.median(stops):.0f} ms, max {max(stops):.0f} ms")
        print(f"({args.runs} runs; providersThrottleDuration 50 ms)")
    finally:
        s.stop()
        dh.cleanup()
        dh.remove_image()


if __name__ == "__main__":
    main()
