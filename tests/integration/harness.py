"""Real processes on loopback for the integration tests: sluice, demo backends, scripted peers."""
import os
import re
import signal
import socket
import subprocess
import tempfile
import textwrap
import threading
import time

BUILD = os.environ.get("SLUICE_BUILD_DIR") or os.path.join(os.path.dirname(__file__), "..", "..", "build")
SLUICE = os.path.join(BUILD, "bin", "sluice")
DEMO = os.path.join(BUILD, "bin", "demo-backend")
FIXTURES = os.path.join(BUILD, "tests", "fixtures", "plugins")


def _abi():
    """The plugin ABI this tree builds (sdk/include/sluice/abi.h): (major, minor)."""
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "sdk", "include", "sluice", "abi.h")) as f:
        text = f.read()
    return tuple(int(re.search(rf"#define SLUICE_ABI_{part} (\d+)", text).group(1)) for part in ("MAJOR", "MINOR"))


ABI_MAJOR, ABI_MINOR = _abi()
ABI = f"{ABI_MAJOR}.{ABI_MINOR}"


class Process:
    """A child process whose output is collected line by line."""

    def __init__(self, args, **kwargs):
        self.args = args
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     errors="replace", **kwargs)
        self.lines = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def wait_for(self, pattern, timeout=20, start=0):
        """Returns the first match of the regex in the output from line `start` on."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        with self._cond:
            while True:
                for line in self.lines[start:]:
                    m = regex.search(line)
                    if m:
                        return m
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    raise AssertionError(f"{self.args[0]}: no line matching {pattern!r}; output:\n" + self.output())
                self._cond.wait(min(left, 0.2))

    def output(self):
        with self._cond:
            return "\n".join(self.lines)

    def signal(self, signo):
        if self.proc.poll() is None:
            self.proc.send_signal(signo)

    def stop(self, timeout=15):
        self.signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self._reader.join(5)
        self.proc.stdout.close()
        return code

    def rss_peak_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0


class Backend(Process):
    """The demo backend on a free loopback port."""

    def __init__(self, name):
        super().__init__([DEMO, "--port", "0", "--name", name])
        self.name = name
        self.port = int(self.wait_for(r"listening on 127\.0\.0\.1:(\d+)").group(1))
        self.url = f"http://127.0.0.1:{self.port}"


class Sluice(Process):
    """sluice with a static configuration; `dynamic` goes to a watched dynamic.toml."""

    def __init__(self, static, dynamic=None, workers=2, extra_args=(), env=None):
        self.dir = tempfile.TemporaryDirectory(prefix="sluice-test-")
        self.static_path = os.path.join(self.dir.name, "sluice.toml")
        self.dynamic_path = os.path.join(self.dir.name, "dynamic.toml")
        static = textwrap.dedent(static)
        if dynamic is not None:
            self.write_dynamic(dynamic)
            static += '\n[providers.file]\nfilename = "dynamic.toml"\nwatch = true\n'
        with open(self.static_path, "w") as f:
            f.write(static)
        super().__init__([SLUICE, "--config", self.static_path, "--workers", str(workers), *extra_args], env=env)
        self.port = int(self.wait_for(r"entry point \w+ listening on [\d.]+:(\d+)").group(1))
        # The API opens after the entry points: a test may ask it as soon as this returns.
        if re.search(r"^\[api\]", static, re.M):
            self.api_port = int(self.wait_for(r"API and dashboard listening on [\d.]+:(\d+)").group(1))

    def write_dynamic(self, text):
        # Write beside, then rename: what editors and config tools do.
        tmp = self.dynamic_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(textwrap.dedent(text))
        os.replace(tmp, self.dynamic_path)

    def stop(self, timeout=15):
        code = super().stop(timeout)
        self.dir.cleanup()
        return code


def entry_point(port=0, extra=""):
    return f'[entryPoints.web]\naddress = "127.0.0.1:{port}"\n{textwrap.dedent(extra)}\n'


def service(name, urls, strategy=None):
    servers = ", ".join(f'{{ url = "{u}" }}' for u in urls)
    text = f"[http.services.{name}.loadBalancer]\nservers = [{servers}]\n"
    if strategy:
        text += f'strategy = "{strategy}"\n'
    return text


def router(name, rule, service_name, extra=""):
    return f'[http.routers.{name}]\nrule = "{rule}"\nservice = "{service_name}"\n{extra}\n'


def install(prefix):
    """`cmake --install` of the build into `prefix`: the binary, the plugins and the SDK."""
    r = run(["cmake", "--install", BUILD, "--prefix", prefix], timeout=120)
    if r.returncode != 0:
        raise AssertionError(r.stdout + r.stderr)
    return os.path.join(prefix, "bin", "sluice")


def run(args, timeout=60, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)


def raw_exchange(port, data, timeout=5.0, read_until_close=True):
    """Sends bytes and returns everything received until the server closes (or timeout)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
                if not read_until_close:
                    break
        except socket.timeout:
            pass
        return b"".join(chunks)


class ScriptedPeer:
    """A loopback TCP server whose every connection runs `handler(conn)` in a thread."""

    def __init__(self, handler):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections = 0
        self.closed = 0  # connections whose handler returned and whose socket is closed
        self.handler = handler
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            with conn:
                conn.settimeout(10)
                self.handler(conn)
        except OSError:
            pass
        finally:
            self.closed += 1

    def wait_closed(self, n, timeout=5):
        """Waits until `n` connections have been closed by this side."""
        deadline = time.monotonic() + timeout
        while self.closed < n:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.closed} of {n} connections closed after {timeout} s")
            time.sleep(0.01)

    def close(self):
        self._stop = True
        self.sock.close()


def read_head(conn):
    """Reads one HTTP head from a socket; returns (head bytes, extra bytes)."""
    data = b""
    while b"\r\n\r\n" not in data:
        b = conn.recv(65536)
        if not b:
            return None, b""
        data += b
    head, _, extra = data.partition(b"\r\n\r\n")
    return head, extra


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=10.0):
    """Polls until predicate() is true (connection errors count as not yet); False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


class Load:
    """Bounded client load: `threads` loops calling request() -> (status, label) until
    stopped (or `limit` seconds). Any status but 200 and any exception is a failure."""

    def __init__(self, request, threads=4, limit=30):
        self.request, self.limit = request, limit
        self.failures, self.served = [], []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._loop) for _ in range(threads)]

    def _loop(self):
        deadline = time.monotonic() + self.limit
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                status, label = self.request()
                (self.served.append(label) if status == 200 else self.failures.append(status))
            except Exception as e:  # a transport error is a failed request too
                self.failures.append(repr(e))

    def __enter__(self):
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for t in self._threads:
            t.join(self.limit + 10)


def open_fds(pid):
    """What a process has open: the targets of /proc/PID/fd ("socket:[...]", paths, ...)."""
    fds = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            fds.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:  # closed while listing
            pass
    return fds


def rss_kib(pid):
    """The resident set size of a process now (VmRSS), in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


TCP_STATES = {"01": "ESTABLISHED", "02": "SYN_SENT", "04": "FIN_WAIT1", "05": "FIN_WAIT2", "06": "TIME_WAIT",
              "07": "CLOSE", "08": "CLOSE_WAIT", "09": "LAST_ACK", "0A": "LISTEN", "0B": "CLOSING"}


def tcp_sockets(pid):
    """The TCP sockets a process holds, as (state, local port, remote port) tuples."""
    inodes = {t[8:-1] for t in open_fds(pid) if t.startswith("socket:[")}
    found = []
    for table in ("tcp", "tcp6"):
        try:
            with open(f"/proc/{pid}/net/{table}") as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if cols[9] in inodes:
                found.append((TCP_STATES.get(cols[3], cols[3]), int(cols[1].rsplit(":", 1)[1], 16),
                              int(cols[2].rsplit(":", 1)[1], 16)))
    return found
