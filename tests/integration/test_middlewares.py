"""Every middleware of Traefik's part 1 through the real binary, configured from the file
provider: what a client and the backend see, the users file read again, a cycle of chains
disabling only its router, the API's view of each middleware. test_docker_middlewares
configures the same from container labels; path rewriting has its own test
(test_path_middlewares)."""
import base64
import http.client
import json
import os
import subprocess
import tempfile
import unittest

from harness import Backend, Sluice, entry_point, service, wait_until

ALICE = "alice:$2b$04$rLkssMFzLniARlnk3xejy.IdviVUEvWqsF/l4bdZiWOYSBouDDK1i"  # bcrypt of "alice-pw"
BOB = "bob:$apr1$bobsalt1$yS9387fGV.fQWFit44R6h1"  # apr1 of "bob-pw"
CAROL = "carol:test:70fc6aaaf5c1b4c80bed3ca7466d7b37"  # htdigest: realm "test", "carol-pw"


def request(port, method, path, headers=None, host="mw.localhost"):
    """(status, response headers, the backend's JSON or the body)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request(method, path, headers={"Host": host, **(headers or {})})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, r.headers, (json.loads(body) if body.startswith(b"{") else body)


def basic(user, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def curl_digest(port, path, user, password):
    """A real client's Digest exchange (curl --digest): (status, body)."""
    r = subprocess.run(["curl", "-s", "--digest", "-u", f"{user}:{password}", "-H", "Host: mw.localhost",
                        "-w", "\n%{http_code}", f"http://127.0.0.1:{port}{path}"],
                       capture_output=True, text=True, timeout=30)
    body, _, code = r.stdout.rpartition("\n")
    return int(code), body


class Checks:
    """What both sluices must do; `self.port` serves the routers below."""

    def test_redirect_scheme(self):
        status, headers, _ = request(self.port, "GET", "/scheme/x?q=1")
        self.assertEqual((status, headers["Location"]), (302, "https://mw.localhost:8443/scheme/x?q=1"))
        self.assertEqual(request(self.port, "POST", "/scheme/x")[0], 307)

    def test_redirect_regex(self):
        status, headers, _ = request(self.port, "GET", "/old/page?a=1")
        self.assertEqual((status, headers["Location"]), (301, "http://mw.localhost/new/page?a=1"))

    def test_headers(self):
        status, headers, body = request(self.port, "GET", "/headers/x",
                                        {"Origin": "https://app.example", "X-Drop": "secret"})
        self.assertEqual(status, 200)
        self.assertEqual(body["headers"].get("X-Custom-Request"), "yes")
        self.assertNotIn("X-Drop", body["headers"])
        self.assertEqual(headers["X-Custom-Response"], "yes")
        self.assertNotIn("X-Instance", headers)  # removed with an empty value
        self.assertEqual(headers["X-Frame-Options"], "DENY")
        self.assertEqual(headers["X-Content-Type-Options"], "nosniff")
        self.assertEqual(headers["Access-Control-Allow-Origin"], "https://app.example")
        # A preflight is answered here: no body, the backend never asked.
        status, headers, body = request(self.port, "OPTIONS", "/headers/x", {
            "Origin": "https://app.example", "Access-Control-Request-Method": "PUT"})
        self.assertEqual((status, body), (200, b""))
        self.assertEqual(headers["Access-Control-Allow-Methods"], "GET,PUT")
        self.assertEqual(headers["Access-Control-Max-Age"], "600")
        # An origin not listed gets no CORS answer.
        _, headers, _ = request(self.port, "GET", "/headers/x", {"Origin": "https://evil.example"})
        self.assertNotIn("Access-Control-Allow-Origin", headers)

    def test_basic_auth(self):
        status, headers, _ = request(self.port, "GET", "/basic/x")
        self.assertEqual((status, headers["WWW-Authenticate"]), (401, 'Basic realm="test"'))
        self.assertEqual(request(self.port, "GET", "/basic/x", basic("alice", "wrong"))[0], 401)
        status, _, body = request(self.port, "GET", "/basic/x", basic("alice", "alice-pw"))
        self.assertEqual(status, 200)
        self.assertEqual(body["headers"]["X-User"], "alice")
        self.assertNotIn("Authorization", body["headers"])  # removeHeader

    def test_digest_auth_with_curl(self):
        status, body = curl_digest(self.port, "/digest/x", "carol", "carol-pw")
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["headers"]["X-User"], "carol")
        self.assertEqual(curl_digest(self.port, "/digest/x", "carol", "wrong")[0], 401)

    def test_ip_allow_list(self):
        status, _, body = request(self.port, "GET", "/denied/x")
        self.assertEqual((status, body), (403, b"Forbidden"))
        self.assertEqual(request(self.port, "GET", "/allowed/x")[0], 200)

    def test_content_type(self):
        # The backend's /health answers "ok" with no Content-Type: passed on as it is, unless
        # contentType names it from the bytes.
        status, headers, body = request(self.port, "GET", "/untyped/x")
        self.assertEqual((status, body, headers.get("Content-Type")), (200, b"ok\n", None))
        status, headers, body = request(self.port, "GET", "/sniffed/x")
        self.assertEqual((status, body, headers.get("Content-Type")), (200, b"ok\n", "text/plain; charset=utf-8"))

    def test_chain(self):
        status, headers, body = request(self.port, "GET", "/chained/x")
        self.assertEqual(status, 200)
        self.assertEqual(body["path"], "/v1/chained/x")
        self.assertEqual(body["headers"].get("X-Custom-Request"), "yes")
        self.assertEqual(headers["X-Frame-Options"], "DENY")


FILE_DYNAMIC = """
[http.routers.scheme]
rule = "PathPrefix(`/scheme`)"
service = "b"
middlewares = ["to-https"]
[http.routers.regex]
rule = "PathPrefix(`/old`)"
service = "b"
middlewares = ["old-to-new"]
[http.routers.headers]
rule = "PathPrefix(`/headers`)"
service = "b"
middlewares = ["headers"]
[http.routers.basic]
rule = "PathPrefix(`/basic`)"
service = "b"
middlewares = ["basic"]
[http.routers.digest]
rule = "PathPrefix(`/digest`)"
service = "b"
middlewares = ["digest"]
[http.routers.denied]
rule = "PathPrefix(`/denied`)"
service = "b"
middlewares = ["office"]
[http.routers.allowed]
rule = "PathPrefix(`/allowed`)"
service = "b"
middlewares = ["local"]
[http.routers.chained]
rule = "PathPrefix(`/chained`)"
service = "b"
middlewares = ["bundle"]
[http.routers.untyped]
rule = "PathPrefix(`/untyped`)"
service = "b"
middlewares = ["to-health"]
[http.routers.sniffed]
rule = "PathPrefix(`/sniffed`)"
service = "b"
middlewares = ["to-health", "sniff"]
[http.routers.looping]
rule = "PathPrefix(`/looping`)"
service = "b"
middlewares = ["loop-a"]

[http.middlewares.to-https.redirectScheme]
scheme = "https"
port = "8443"
[http.middlewares.old-to-new.redirectRegex]
regex = "^http://([^/]+)/old/(.*)"
replacement = "http://${1}/new/$2"
permanent = true
[http.middlewares.headers.headers]
customRequestHeaders = { X-Custom-Request = "yes", X-Drop = "" }
customResponseHeaders = { X-Custom-Response = "yes", X-Instance = "" }
accessControlAllowOriginList = ["https://app.example"]
accessControlAllowMethods = ["GET", "PUT"]
accessControlMaxAge = 600
frameDeny = true
contentTypeNosniff = true
[http.middlewares.basic.basicAuth]
users = ["%(alice)s"]
usersFile = "%(users_file)s"
realm = "test"
headerField = "X-User"
removeHeader = true
[http.middlewares.digest.digestAuth]
users = ["%(carol)s"]
realm = "test"
headerField = "X-User"
[http.middlewares.office.ipAllowList]
sourceRange = ["10.0.0.0/8"]
[http.middlewares.local.ipWhiteList]
sourceRange = ["127.0.0.1/32", "::1"]
[http.middlewares.to-health.replacePath]
path = "/health"
[http.middlewares.sniff.contentType]
[http.middlewares.add-v1.addPrefix]
prefix = "/v1"
[http.middlewares.bundle.chain]
middlewares = ["headers", "add-v1"]
[http.middlewares.loop-a.chain]
middlewares = ["loop-b"]
[http.middlewares.loop-b.chain]
middlewares = ["headers", "loop-a"]
"""


class FromFile(Checks, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.TemporaryDirectory(prefix="sluice-mw-")
        cls.users_file = os.path.join(cls.folder.name, "users.htpasswd")
        with open(cls.users_file, "w") as f:
            f.write("# bob, from the file\n" + BOB + "\n")
        cls.backend = Backend("b")
        dynamic = FILE_DYNAMIC % {"alice": ALICE, "carol": CAROL, "users_file": cls.users_file}
        cls.sluice = Sluice(entry_point() + '[api]\naddress = "127.0.0.1:0"\n', dynamic + service("b", [cls.backend.url]),
                            workers=2)
        cls.port = cls.sluice.port

    @classmethod
    def tearDownClass(cls):
        cls.sluice.stop()
        cls.backend.stop()
        cls.folder.cleanup()

    def test_users_file_read_again_when_it_changes(self):
        self.assertEqual(request(self.port, "GET", "/basic/x", basic("bob", "bob-pw"))[0], 200)
        self.assertEqual(request(self.port, "GET", "/basic/x", basic("dave", "bob-pw"))[0], 401)
        with open(self.users_file + ".new", "w") as f:
            f.write(BOB.replace("bob:", "dave:", 1) + "\n")
        os.replace(self.users_file + ".new", self.users_file)
        self.assertTrue(wait_until(
            lambda: request(self.port, "GET", "/basic/x", basic("dave", "bob-pw"))[0] == 200, timeout=5))
        self.assertEqual(request(self.port, "GET", "/basic/x", basic("bob", "bob-pw"))[0], 401)
        self.assertEqual(request(self.port, "GET", "/basic/x", basic("alice", "alice-pw"))[0], 200)  # the list's

    def test_a_cycle_disables_only_its_router_and_the_api_shows_why(self):
        self.assertEqual(request(self.port, "GET", "/looping/x")[0], 404)
        self.assertEqual(request(self.port, "GET", "/chained/x")[0], 200)
        c = http.client.HTTPConnection("127.0.0.1", self.sluice.api_port, timeout=10)
        c.request("GET", "/api/http/middlewares?per_page=100")
        middlewares = {m["name"]: m for m in json.loads(c.getresponse().read())}
        c.close()
        loop = middlewares["loop-a@file"]
        self.assertEqual(loop["status"], "disabled")
        self.assertIn("a cycle of chains: loop-a@file -> loop-b@file -> loop-a@file", loop["error"][0])
        # Every middleware's type and options, users' hashes hidden.
        self.assertEqual(middlewares["basic@file"]["basicAuth"]["users"], ["alice:(hidden)"])
        self.assertEqual(middlewares["bundle@file"]["chain"]["middlewares"], ["headers", "add-v1"])
        self.assertEqual(middlewares["bundle@file"]["type"], "chain")
        self.assertEqual(sorted(middlewares["headers@file"]["usedBy"]), ["bundle@file", "headers@file", "loop-b@file"])
        self.assertEqual(middlewares["office@file"]["ipAllowList"]["sourceRange"], ["10.0.0.0/8"])
        self.assertEqual(middlewares["local@file"]["type"], "ipwhitelist")

    def test_ip_white_list_is_the_old_name_with_a_warning(self):
        self.sluice.wait_for(r"ipWhiteList is Traefik v2's name for ipAllowList")
