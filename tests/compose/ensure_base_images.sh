#!/usr/bin/env bash
# Makes debian:bookworm and debian:bookworm-slim available to `docker build` without a
# registry: when missing, a minimal Debian 12 is bootstrapped from Debian's mirror with
# debootstrap and imported under those names (the Dockerfile users run elsewhere is
# unchanged). Existing images are left alone.
set -euo pipefail
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
missing=()
for image in debian:bookworm debian:bookworm-slim; do
  docker image inspect "$image" >/dev/null 2>&1 || missing+=("$image")
done
[ ${#missing[@]} -eq 0 ] && exit 0

rootfs=$(mktemp -d /tmp/sluice-rootfs-XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
echo "Bootstrapping Debian bookworm for: ${missing[*]}"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 || {
  tail -20 "$rootfs.log"; exit 1; }
# What the official images also do: no recommends, no documentation, a clean apt cache.
printf 'APT::Install-Recommends "false";\n' >"$rootfs/etc/apt/apt.conf.d/99no-recommends"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
image_id=$(tar -C "$rootfs" -c . | docker import --change 'CMD ["bash"]' - "${missing[0]}")
for image in "${missing[@]:1}"; do docker tag "$image_id" "$image"; done
rm -f "$rootfs.log"
echo "Imported ${missing[*]}"
