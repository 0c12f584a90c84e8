#!/bin/sh
# The image's entry point: sluice always runs as the unprivileged user `sluice`, never as
# root. Started as root (the image's default), it adds the group that owns the Docker socket
# when one is mounted (so that no group_add is needed), then becomes `sluice` with setpriv:
# no capabilities kept, no new privileges. Started as another user (docker run --user, a
# rootless engine), it runs sluice as that user, unchanged.
#
# `sluice-entrypoint healthcheck` alone (the image's HEALTHCHECK) asks the running proxy with
# its own arguments (Sluice's --config or Traefik's flags), read from /proc/1/cmdline.
set -eu
socket=${SLUICE_DOCKER_SOCKET:-/var/run/docker.sock}
if [ "$#" -eq 1 ] && [ "$1" = healthcheck ] && [ "$(tr '\0' '\n' < /proc/1/cmdline | head -n 1)" = sluice ]; then
  exec xargs -0 -a /proc/1/cmdline sh -c 'shift; exec sluice healthcheck "$@"' sh
fi
if [ "$(id -u)" != 0 ]; then
  exec sluice "$@"
fi
groups=$(id -g sluice)
if [ -S "$socket" ]; then
  groups="$groups,$(stat -c %g "$socket")"
fi
exec setpriv --reuid=sluice --regid=sluice --groups="$groups" --inh-caps=-all --bounding-set=-all \
  --no-new-privs sluice "$@"
