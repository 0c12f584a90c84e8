# The demo backend, statically linked, with busybox for health-check commands.
FROM scratch
COPY busybox /bin/busybox
# busybox as /bin/sh runs `--health-cmd` strings (CMD-SHELL).
COPY busybox /bin/sh
COPY demo-backend /demo-backend
EXPOSE 80
ENTRYPOINT ["/demo-backend", "--host", "0.0.0.0", "--port", "80"]
