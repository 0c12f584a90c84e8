# Sluice images: the proxy (default target, the last stage) and the demo backend, built
# from source on Debian 12 and shipped on debian:bookworm-slim with only their runtime
# libraries.
#   docker build -t sluice .
#   docker build -t sluice-demo-backend --target demo-backend .
# With --build-arg SLUICE_PREBUILT=<dir>, the binaries come from <dir> in the build context
# (a `cmake --install` of a Debian 12 host build) instead of being compiled here: the test
# suite's fast path through this same file.

FROM debian:bookworm-slim AS runtime-base
RUN apt-get update \
 && apt-get install -y --no-install-recommends libfmt9 libre2-9 libspdlog1.10 libssl3 libtomlplusplus3 libyaml-cpp0.7 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --no-create-home --uid 10001 sluice

FROM debian:bookworm AS build
ARG SLUICE_PREBUILT=""
RUN if [ -z "$SLUICE_PREBUILT" ]; then \
      apt-get update \
      && apt-get install -y --no-install-recommends g++ cmake ninja-build pkg-config libboost1.81-all-dev \
           libtomlplusplus-dev libspdlog-dev libre2-dev libssl-dev libcrypt-dev libxxhash-dev libyaml-cpp-dev \
      && rm -rf /var/lib/apt/lists/*; \
    fi
COPY . /src
RUN if [ -n "$SLUICE_PREBUILT" ]; then \
      cp -a "/src/$SLUICE_PREBUILT" /stage; \
    else \
      cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_BUILD_TESTS=OFF \
      && cmake --build /build \
      && cmake --install /build --prefix /stage --strip; \
    fi

FROM runtime-base AS demo-backend
COPY --from=build /stage/bin/demo-backend /usr/local/bin/demo-backend
USER sluice
EXPOSE 80
ENTRYPOINT ["demo-backend", "--host", "0.0.0.0", "--port", "80"]

FROM runtime-base AS sluice
COPY --from=build /stage/bin/sluice /usr/local/bin/sluice
COPY --from=build /stage/lib/sluice/plugins/ /usr/local/lib/sluice/plugins/
COPY examples/compose/sluice.toml /etc/sluice/sluice.toml
COPY scripts/container-entrypoint.sh /usr/local/bin/sluice-entrypoint
# Compose files written for Traefik call `traefik healthcheck --ping` and the like.
RUN ln -s sluice-entrypoint /usr/local/bin/traefik
# Starts as root only to join the Docker socket's group, then runs sluice as the user sluice
# (scripts/container-entrypoint.sh): no group_add needed, never root. `docker run --user`
# runs it as that user instead.
EXPOSE 80 8080
# Asks the running proxy's /ping with its own arguments (--config or Traefik's flags).
HEALTHCHECK --interval=5s --timeout=3s --start-period=2s CMD ["sluice-entrypoint", "healthcheck"]
ENTRYPOINT ["sluice-entrypoint"]
CMD ["--config", "/etc/sluice/sluice.toml"]
