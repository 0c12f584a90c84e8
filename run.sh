#!/usr/bin/env bash
# Quick start: installs what is missing, builds, and runs the demo (three demo backends on
# 127.0.0.1:9001-9003 behind sluice on 127.0.0.1:8000). Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/common.sh
ensure_packages "${BUILD_PACKAGES[@]}"
build build

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

for i in 1 2 3; do
  build/bin/demo-backend --port "900$i" --name "web-$i" >/dev/null &
  pids+=($!)
done
build/bin/sluice --config examples/quickstart/sluice.toml &
pids+=($!)
sleep 1
cat <<'MSG'

Sluice is running on http://127.0.0.1:8000 in front of web-1, web-2 and web-3.
  curl -H 'Host: demo.localhost' http://127.0.0.1:8000/api/     # repeat: web-1, web-2, web-3, web-1...
  open http://demo.localhost:8000/ in a browser (*.localhost resolves to loopback)
Edit examples/quickstart/sluice.toml and save: routes change without a restart.
Ctrl-C stops everything.
MSG
wait "${pids[-1]}"
