"""The path-rewriting middlewares (addPrefix, replacePath, replacePathRegex,
stripPrefixRegex) through the real binary, configured in Traefik's shapes from the file
provider: what the backend receives, and a bad definition disabling only its router."""
import http.client
import json
import unittest

from harness import Backend, Sluice, entry_point, router, service


class PathMiddlewares(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.backend = Backend("b")
        dyn = (
            router("add", "PathPrefix(`/add`)", "b", 'middlewares = ["add"]') +
            router("replace", "PathPrefix(`/replace`)", "b", 'middlewares = ["replace"]') +
            router("regex", "PathPrefix(`/regex`)", "b", 'middlewares = ["regex"]') +
            router("strip", "PathPrefix(`/strip`)", "b", 'middlewares = ["strip"]') +
            router("chain", "PathPrefix(`/chain`)", "b", 'middlewares = ["strip-chain", "add"]') +
            router("broken", "PathPrefix(`/broken`)", "b", 'middlewares = ["broken"]') +
            service("b", [cls.backend.url]) +
            '[http.middlewares.add.addPrefix]\nprefix = "/v1"\n'
            '[http.middlewares.replace.replacePath]\npath = "/new%2Fpath"\n'
            "[http.middlewares.regex.replacePathRegex]\nregex = '^/regex/(?P<id>[0-9]+)/(.*)'\n"
            "replacement = '/items/${id}/$2'\n"
            "[http.middlewares.strip.stripPrefixRegex]\nregex = ['/strip/[a-z]+/', '/strip/']\n"
            "[http.middlewares.strip-chain.stripPrefixRegex]\nregex = ['/chain/[0-9]+']\n"
            "[http.middlewares.broken.replacePathRegex]\nregex = '(['\nreplacement = '/x'\n")
        cls.sluice = Sluice(entry_point(), dyn, workers=1)

    @classmethod
    def tearDownClass(cls):
        cls.sluice.stop()
        cls.backend.stop()

    def get(self, path):
        c = http.client.HTTPConnection("127.0.0.1", self.sluice.port, timeout=10)
        c.request("GET", path, headers={"Host": "paths.localhost"})
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, (json.loads(body) if r.getheader("Content-Type") == "application/json" else body)

    def test_add_prefix(self):
        status, body = self.get("/add/x?q=1")
        self.assertEqual((status, body["path"]), (200, "/v1/add/x?q=1"))

    def test_replace_path_keeps_the_original(self):
        status, body = self.get("/replace/me?q=1")
        self.assertEqual((status, body["path"]), (200, "/new%2Fpath?q=1"))
        self.assertEqual(body["headers"]["X-Replaced-Path"], "/replace/me")

    def test_replace_path_regex_with_go_replacements(self):
        status, body = self.get("/regex/42/rest/of/it")
        self.assertEqual((status, body["path"]), (200, "/items/42/rest/of/it"))
        self.assertEqual(body["headers"]["X-Replaced-Path"], "/regex/42/rest/of/it")
        status, body = self.get("/regex/none")  # no match: untouched, no header
        self.assertEqual((status, body["path"]), (200, "/regex/none"))
        self.assertNotIn("X-Replaced-Path", body["headers"])

    def test_strip_prefix_regex(self):
        status, body = self.get("/strip/abc/x")
        self.assertEqual((status, body["path"], body["headers"]["X-Forwarded-Prefix"]), (200, "/x", "/strip/abc/"))
        status, body = self.get("/strip/123/x")  # the second expression
        self.assertEqual((status, body["path"], body["headers"]["X-Forwarded-Prefix"]), (200, "/123/x", "/strip/"))

    def test_middlewares_chain_on_the_rewritten_path(self):
        status, body = self.get("/chain/7/y")
        self.assertEqual((status, body["path"]), (200, "/v1/y"))

    def test_an_invalid_regex_disables_only_its_router(self):
        self.sluice.wait_for(r"middleware broken@file disabled: .*replacePathRegex.regex.*not a valid regular expression")
        self.assertEqual(self.get("/broken/x")[0], 404)
        self.assertEqual(self.get("/add/x")[0], 200)


if __name__ == "__main__":
    unittest.main()
