#!/usr/bin/env bash
# Installs what is missing, builds (plain and with ASan/UBSan), and runs every test.
# Exits non-zero on any failure. SLUICE_SKIP_SANITIZE=1 skips the sanitizer pass.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/common.sh
ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"

ensure_dockerd

build build -DSLUICE_WERROR=ON
(cd build && ctest --output-on-failure --timeout 600)

# Every seed and past finding through the libFuzzer targets (clang 14, ASan + UBSan).
# Fuzzing itself is a separate command: scripts/fuzz.sh run SECONDS.
scripts/fuzz.sh replay

if [ "${SLUICE_SKIP_SANITIZE:-0}" != 1 ]; then
  build build-asan -DSLUICE_WERROR=ON -DSLUICE_SANITIZE=address,undefined
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
     ctest --output-on-failure --timeout 900)
fi
