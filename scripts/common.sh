# Shared by run.sh and test.sh: install what is missing, configure and build.
# shellcheck shell=bash

BUILD_PACKAGES=(g++ cmake ninja-build ccache pkg-config libboost1.81-all-dev libtomlplusplus-dev libspdlog-dev
                libgtest-dev libgmock-dev libre2-dev libssl-dev libcrypt-dev libxxhash-dev libyaml-cpp-dev libbenchmark-dev curl)
TEST_PACKAGES=(python3 procps binutils docker.io docker-compose busybox-static debootstrap chromium chromium-driver
               python3-selenium wrk nginx-light haproxy)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# ensure_packages PKG...: installs the Debian packages that are not installed yet.
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Cache hits across clones in different folders (CI builds a fresh clone).
export CCACHE_BASEDIR="$PWD"

# build DIR [cmake args...]: configures once, then builds incrementally with 2 jobs.
build() {
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
  fi
  cmake --build "$dir" -j "${SLUICE_JOBS:-2}"
}

# ensure_dockerd: starts dockerd when none answers, and stops it again on exit (only the
# one started here). Without a daemon the docker tests skip, except with CI=true.
ensure_dockerd() {
  docker info >/dev/null 2>&1 && return 0
  command -v dockerd >/dev/null 2>&1 || { echo "dockerd is not installed"; return 0; }
  echo "Starting dockerd for the docker tests"
  # Started directly (not through a function, which would fork a subshell) so that $! is
  # dockerd itself, or sudo, which passes the signal on.
  if [ "$(id -u)" -eq 0 ]; then
    dockerd >"${TMPDIR:-/tmp}/sluice-dockerd.log" 2>&1 &
  else
    sudo dockerd >"${TMPDIR:-/tmp}/sluice-dockerd.log" 2>&1 &
  fi
  SLUICE_DOCKERD_PID=$!
  trap stop_dockerd EXIT
  for _ in $(seq 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "dockerd did not start; see ${TMPDIR:-/tmp}/sluice-dockerd.log"
}

# The EXIT trap: stops the dockerd started above and keeps the script's own exit status.
stop_dockerd() {
  local status=$?
  as_root kill "$SLUICE_DOCKERD_PID" 2>/dev/null || true
  wait "$SLUICE_DOCKERD_PID" 2>/dev/null || true
  exit "$status"
}
