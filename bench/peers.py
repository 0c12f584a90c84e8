"""The proxies the benchmarks compare, configured alike: one worker, keep-alive upstream
pools, access logs off, round robin over the same backends, on 127.0.0.1:`port`.

proxy_commands(work, sluice, backends) writes each proxy's configuration into `work` and
returns {name: (argv, port)}: the argv runs the proxy in the foreground as one process, so
that valgrind and perf see all of its work.
"""
import os
import socket


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sluice_command(work, sluice, backends, port):
    path = os.path.join(work, "sluice.toml")
    servers = ", ".join(f'{{ url = "http://127.0.0.1:{p}" }}' for p in backends)
    with open(path, "w") as f:
        f.write(f'[entryPoints.web]\naddress = "127.0.0.1:{port}"\n[log]\nlevel = "warn"\n'
                f'[http.routers.bench]\nrule = "PathPrefix(`/`)"\nservice = "bench"\n'
                f'[http.services.bench.loadBalancer]\nservers = [{servers}]\n')
    return [sluice, "--config", path, "--workers", "1"]


def nginx_command(work, backends, port):
    path = os.path.join(work, "nginx.conf")
    upstream = "".join(f"server 127.0.0.1:{p};" for p in backends)
    with open(path, "w") as f:
        # master_process off: the one worker is the process itself.
        f.write(f"worker_processes 1; master_process off; daemon off; pid {work}/nginx.pid;"
                f" error_log {work}/nginx.err;\n"
                "events { worker_connections 8192; }\n"
                f"http {{ access_log off; client_body_temp_path {work}; proxy_temp_path {work};\n"
                f"  upstream be {{ {upstream} keepalive 256; }}\n"
                f"  server {{ listen 127.0.0.1:{port}; location / {{ proxy_pass http://be;"
                " proxy_http_version 1.1; proxy_set_header Connection \"\"; } } }\n")
    return ["nginx", "-p", work, "-c", path]


def haproxy_command(work, backends, port):
    path = os.path.join(work, "haproxy.cfg")
    servers = "".join(f"  server s{i} 127.0.0.1:{p}\n" for i, p in enumerate(backends))
    with open(path, "w") as f:
        f.write("global\n  nbthread 1\n  maxconn 4000\n"
                "defaults\n  mode http\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\n"
                "  option http-keep-alive\n  http-reuse always\n"
                f"frontend fe\n  bind 127.0.0.1:{port}\n  default_backend be\n"
                f"backend be\n  balance roundrobin\n{servers}")
    # -db: in the foreground, one process.
    return ["haproxy", "-db", "-f", path]


def proxy_commands(work, sluice, backends):
    out = {}
    for name, make in (("sluice", lambda p: sluice_command(work, sluice, backends, p)),
                       ("nginx", lambda p: nginx_command(work, backends, p)),
                       ("haproxy", lambda p: haproxy_command(work, backends, p))):
        port = free_port()
        out[name] = (make(port), port)
    return out
