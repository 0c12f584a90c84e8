#!/usr/bin/env bash
# libFuzzer targets of fuzz/ (clang 14, ASan + UBSan).
#   scripts/fuzz.sh replay                 build, then run every corpus file through its target
#   scripts/fuzz.sh run SECONDS [target..] fuzz each target (default: all) for SECONDS
# The build dir is build-fuzz/ (SLUICE_FUZZ_BUILD overrides); working corpora live in
# build-fuzz/work/<target>, outside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh

TARGETS=(request rule config labels)
BUILD_DIR=${SLUICE_FUZZ_BUILD:-build-fuzz}
CXX_CLANG=${SLUICE_FUZZ_CXX:-clang++-14}

usage() {
  sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

build_fuzzers() {
  # libclang-rt-14-dev has the sanitizer and fuzzer runtimes and FuzzedDataProvider.h.
  ensure_packages "${BUILD_PACKAGES[@]}" clang-14 libclang-rt-14-dev libfuzzer-14-dev
  if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$CXX_CLANG" \
      -DSLUICE_FUZZ=ON
  fi
  cmake --build "$BUILD_DIR" -j "${SLUICE_JOBS:-2}" --target sluice_fuzzers
}

# Options every run shares: the dictionary when there is one, no leak check noise from
# Asio's static state, and a crash artifact prefix under the build dir.
fuzzer_options() {
  local t=$1
  local opts=(-timeout=10 -rss_limit_mb=2048 "-artifact_prefix=$BUILD_DIR/artifacts/$t-")
  [ -f "fuzz/dict/$t.dict" ] && opts+=("-dict=fuzz/dict/$t.dict")
  printf '%s\n' "${opts[@]}"
}

replay() {
  build_fuzzers
  mkdir -p "$BUILD_DIR/artifacts"
  local failed=()
  for t in "${TARGETS[@]}"; do
    local opts
    mapfile -t opts < <(fuzzer_options "$t")
    echo "== fuzz_$t: $(find "fuzz/corpus/$t" -type f | wc -l) corpus file(s)"
    # -runs=0 over a directory runs each file once and stops.
    if ! "$BUILD_DIR/bin/fuzz_$t" "${opts[@]}" -runs=0 "fuzz/corpus/$t" >"$BUILD_DIR/replay-$t.log" 2>&1; then
      tail -n 40 "$BUILD_DIR/replay-$t.log"
      failed+=("$t")
    fi
  done
  if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz replay FAILED: ${failed[*]} (logs: $BUILD_DIR/replay-<target>.log)"
    return 1
  fi
  echo "fuzz replay passed: ${TARGETS[*]}"
}

run() {
  local seconds=${1:-}
  [[ "$seconds" =~ ^[0-9]+$ ]] || usage
  shift
  local targets=("$@")
  [ ${#targets[@]} -eq 0 ] && targets=("${TARGETS[@]}")
  build_fuzzers
  mkdir -p "$BUILD_DIR/artifacts"
  local status=0
  for t in "${targets[@]}"; do
    [ -f "fuzz/fuzz_$t.cpp" ] || { echo "unknown target: $t"; exit 2; }
    local work="$BUILD_DIR/work/$t" opts
    mkdir -p "$work"
    cp -n "fuzz/corpus/$t"/* "$work"/ 2>/dev/null || true
    mapfile -t opts < <(fuzzer_options "$t")
    echo "== fuzz_$t for ${seconds}s (corpus: $work)"
    # One job, low priority: the machine is shared.
    nice -n 10 "$BUILD_DIR/bin/fuzz_$t" "${opts[@]}" -max_total_time="$seconds" \
      -print_final_stats=1 "$work" 2>&1 | tee "$BUILD_DIR/run-$t.log" | grep -E '^#[0-9]+ +(pulse|DONE)|^==|^stat::|ERROR|finding' || true
    if grep -qE 'ERROR: (libFuzzer|AddressSanitizer|UndefinedBehaviorSanitizer)|^finding|runtime error' "$BUILD_DIR/run-$t.log"; then
      echo "fuzz_$t CRASHED; reproducer(s): $(ls "$BUILD_DIR/artifacts/$t-"* 2>/dev/null | tr '\n' ' ')"
      status=1
    fi
  done
  cat <<EOF

Keep the new interesting inputs (only those adding coverage) in the repository corpus:
  $BUILD_DIR/bin/fuzz_<target> -merge=1 fuzz/corpus/<target> $BUILD_DIR/work/<target>
A crash reproducer goes into fuzz/corpus/<target>/ once the bug is fixed (replay then guards it).
EOF
  return $status
}

case "${1:-}" in
  replay) replay ;;
  run) shift; run "$@" ;;
  *) usage ;;
esac
