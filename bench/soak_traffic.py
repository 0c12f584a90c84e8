"""The requests of bench/soak.py: good ones (each checks its answer and raises on anything
unexpected), malformed ones and slow clients (each returns what sluice did with it)."""
import http.client
import json
import re
import select
import socket
import time

TIMEOUT = 5  # sluice's read and write timeouts in the soak, so slow clients meet them within the run
CLIENT_TIMEOUT = TIMEOUT + 5  # no answer and no close by then: a hang
HOST, WS_HOST = "soak.localhost", "ws.localhost"
NAMES = ("s1", "s2", "s3")

# ---- good requests: each sends one request and raises on anything unexpected ------------------

def check(condition, detail):
    if not condition:
        raise AssertionError(detail)


def get_small(c, rnd):
    c.request("GET", f"/api/soak?n={rnd.randrange(1 << 30)}", headers={"Host": HOST})
    r = c.getresponse()
    body = r.read()
    check(r.status == 200 and json.loads(body)["instance"] in NAMES, f"status {r.status}: {body[:100]!r}")


def get_large(c, rnd):
    n = rnd.choice((65536, 1 << 20, 3 << 20)) + rnd.randrange(1000)
    c.request("GET", f"/bytes/{n}", headers={"Host": HOST})
    r = c.getresponse()
    body = r.read()
    check(r.status == 200 and len(body) == n, f"status {r.status}, {len(body)} of {n} bytes")


def head(c, rnd):
    c.request("HEAD", "/api/head", headers={"Host": HOST})
    r = c.getresponse()
    check(r.status == 200 and r.read() == b"", f"status {r.status}")


def post_length(c, rnd):
    body = rnd.randbytes(rnd.choice((10, 4000, 200_000)))
    c.request("POST", "/echo", body=body, headers={"Host": HOST, "Content-Type": "application/octet-stream"})
    r = c.getresponse()
    echoed = r.read()
    check(r.status == 200 and echoed == body, f"status {r.status}, echoed {len(echoed)} of {len(body)} bytes")


def post_chunked(c, rnd):
    chunks = [rnd.randbytes(rnd.choice((1, 100, 16384))) for _ in range(rnd.randint(1, 8))]
    c.request("POST", "/echo", body=iter(chunks), encode_chunked=True,
              headers={"Host": HOST, "Transfer-Encoding": "chunked"})
    r = c.getresponse()
    echoed = r.read()
    check(r.status == 200 and echoed == b"".join(chunks), f"status {r.status}, echoed {len(echoed)} bytes")


def get_close(port, rnd):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.request("GET", "/api/close", headers={"Host": HOST, "Connection": "close"})
        r = c.getresponse()
        body = r.read()
        check(r.status == 200 and r.will_close and b'"instance"' in body, f"status {r.status}, close {r.will_close}")
    finally:
        c.close()


def http10(port, rnd):
    data = raw_read_all(port, f"GET /api/old HTTP/1.0\r\nHost: {HOST}\r\n\r\n".encode())
    check(data.startswith(b"HTTP/1.0 200 ") and b'"instance"' in data, f"answer {data[:60]!r}")


def slow_body(port, rnd):
    """A valid body sent in pieces over about two seconds: slow, but within every timeout."""
    body = rnd.randbytes(2000)
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.putrequest("POST", "/echo", skip_host=True)
        c.putheader("Host", HOST)
        c.putheader("Content-Length", str(len(body)))
        c.endheaders()
        for i in range(0, len(body), 200):
            c.send(body[i:i + 200])
            time.sleep(0.2)
        r = c.getresponse()
        echoed = r.read()
        check(r.status == 200 and echoed == body, f"status {r.status}, echoed {len(echoed)} bytes")
    finally:
        c.close()


def upgrade(port, rnd):
    """Connection: Upgrade to a peer that grants it; bytes then flow both ways through sluice."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(f"GET /chat HTTP/1.1\r\nHost: {WS_HOST}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                  "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            b = s.recv(4096)
            check(b, f"closed after {data!r}")
            data += b
        check(data.startswith(b"HTTP/1.1 101 "), f"answer {data[:60]!r}")
        rest = data.partition(b"\r\n\r\n")[2]
        for _ in range(rnd.randint(1, 5)):
            msg = rnd.randbytes(rnd.choice((5, 3000)))
            s.sendall(msg)
            while len(rest) < len(msg):
                b = s.recv(65536)
                check(b, "tunnel closed")
                rest += b
            check(rest[:len(msg)] == msg, "tunnel garbled the bytes")
            rest = rest[len(msg):]


KEEP_ALIVE_KINDS = [(get_small, 8), (get_large, 2), (head, 1), (post_length, 2), (post_chunked, 2)]
KEEP_ALIVE = {k for k, _ in KEEP_ALIVE_KINDS}
FRESH_KINDS = [(get_close, 1), (http10, 1), (slow_body, 0.2), (upgrade, 0.5)]


def raw_read_all(port, data, timeout=30):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        while b := s.recv(65536):
            out += b
        return out


# ---- malformed requests and slow clients over raw sockets ------------------------------------

def raw_outcome(port, parts, pause=0.0, timeout=CLIENT_TIMEOUT, read_more=False):
    """Sends `parts` (pausing between them, stopping early once sluice answers) and says what
    came back: the status of the answer or "closed" (no answer), then with read_more whether
    the connection was "then closed" or "then held open"; " after the read timeout" when sluice
    gave up only at its read timeout (it was waiting for bytes that were never coming); "no
    answer" when nothing came back within `timeout`."""
    started = time.monotonic()
    deadline = started + timeout
    data, closed = b"", False
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            for p in parts:
                if select.select([s], [], [], 0)[0] or time.monotonic() > deadline:
                    break
                s.sendall(p)
                time.sleep(pause)
            while (b"\r\n" not in data or read_more) and time.monotonic() < deadline:
                s.settimeout(max(0.01, deadline - time.monotonic()))
                b = s.recv(65536)
                if not b:
                    closed = True
                    break
                data = data[:4096] + b
        except socket.timeout:
            pass
        except (ConnectionResetError, BrokenPipeError):
            closed = True
    late = closed and time.monotonic() - started >= TIMEOUT - 0.5 and pause == 0
    m = re.match(rb"HTTP/1\.[01] (\d{3}) ", data)
    if not m:
        result = "garbled" if data else "closed" if closed else "no answer"
    else:
        result = m.group(1).decode() + ((" then closed" if closed else " then held open") if read_more else "")
    return result + (" after the read timeout" if late else "")


def chunked_post(path, framing):
    return (f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
            .encode() + framing)


def head_only(line, fields=f"Host: {HOST}\r\n"):
    return f"{line}\r\n{fields}Connection: close\r\n\r\n".encode()


# Every malformed request asks for Connection: close, so that a connection left open after
# the answer is a hang, not keep-alive.
MALFORMED = {
    "garbage": lambda r, path: r.randbytes(r.randint(1, 300)) + b"\r\n\r\n",
    "oversize head": lambda r, path: head_only("GET /api/ HTTP/1.1", f"Host: {HOST}\r\nX-Big: {'a' * 40000}\r\n"),
    "bad percent-encoding": lambda r, path: head_only(f"GET /api/{r.choice(['%zz', '%', '%G1', 'a%2'])} HTTP/1.1"),
    "no Host": lambda r, path: head_only("GET /api/ HTTP/1.1", ""),
    "CL+TE": lambda r, path: head_only(f"POST {path} HTTP/1.1", f"Host: {HOST}\r\nContent-Length: 5\r\n"
                                       "Transfer-Encoding: chunked\r\n")[:-2] + b"\r\n5\r\nhello\r\n0\r\n\r\n",
    "two lengths": lambda r, path: head_only(f"POST {path} HTTP/1.1", f"Host: {HOST}\r\nContent-Length: 5\r\n"
                                             "Content-Length: 6\r\n")[:-2] + b"\r\nhello!",
    "bad chunk size": lambda r, path: chunked_post(path, b"zz\r\nhello\r\n0\r\n\r\n"),
    "bare LF: chunk-size line": lambda r, path: chunked_post(path, b"5\nhello\r\n0\r\n\r\n"),
    "bare LF: after chunk data": lambda r, path: chunked_post(path, b"5\r\nhello\n0\r\n\r\n"),
    "bare LF: last-chunk line": lambda r, path: chunked_post(path, b"5\r\nhello\r\n0\n\n"),
}
# Requests with a body go to /echo (which answers while the body still streams in) or to
# /api/ (which reads the whole body first).
BODY_PATHS = ("/echo", "/api/malformed")


def malformed_request(rnd):
    """A random malformed request: (class name as reported, bytes)."""
    name = rnd.choice(list(MALFORMED))
    path = rnd.choice(BODY_PATHS)
    data = MALFORMED[name](rnd, path)
    return (f"{name} ({path})" if path.encode() in data.split(b"\r\n", 1)[0] else name), data


def malformed_verdict(name, result):
    """"ok", "hang" or "unexpected" for what a malformed request got."""
    if "held open" in result or result == "no answer" or result.endswith("after the read timeout"):
        return "hang"
    if result == "closed" or result.startswith("4"):
        return "ok"
    # The echo answers before the body turns out bad: its head may reach the client, and the
    # connection must then close. RFC 9112 lets a recipient accept a bare LF.
    if result == "200 then closed" and ("/echo" in name or name.startswith("bare LF")):
        return "ok"
    return "unexpected"


def slowloris(port, rnd):
    head_start = f"GET /api/ HTTP/1.1\r\nHost: {HOST}\r\nX-Slow: ".encode()
    return raw_outcome(port, [head_start] + [b"a"] * 100, pause=0.5)


def stalled_body(port, rnd):
    head_start = f"POST /echo HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: 100000\r\n\r\n".encode()
    return raw_outcome(port, [head_start + b"x" * 1000], read_more=True)


def stops_reading(port, rnd):
    """Asks for 256 MiB, reads a little, stops reading past the write timeout, then drains."""
    total, want = 0, 256 << 20
    with socket.create_connection(("127.0.0.1", port), timeout=CLIENT_TIMEOUT) as s:
        s.sendall(f"GET /bytes/{want} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
        try:
            first = s.recv(65536)
            if not first.startswith(b"HTTP/1.1 200 "):
                return f"answer {first[:12]!r}"
            total += len(first)
            time.sleep(TIMEOUT + 3)
            deadline = time.monotonic() + CLIENT_TIMEOUT
            while total < want and time.monotonic() < deadline:
                b = s.recv(1 << 20)
                if not b:
                    return "cut by sluice"
                total += len(b)
        except socket.timeout:
            return "hang"
        except ConnectionResetError:
            return "cut by sluice"
    return "completed" if total >= want else "hang"


SLOW = {"slowloris": slowloris, "stalled body": stalled_body, "stops reading": stops_reading}


def slow_verdict(name, result):
    """"ok" when sluice's timeouts cut the slow client off, "hang" when they did not."""
    if result in ("no answer", "hang") or "held open" in result:
        return "hang"
    if result in ("cut by sluice", "closed") or result.endswith("then closed after the read timeout") or \
            (name == "slowloris" and result == "408"):
        return "ok"
    return "unexpected"
