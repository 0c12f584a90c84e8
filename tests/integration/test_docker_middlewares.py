"""The middlewares of test_middlewares configured from container labels in Traefik's grammar
(labelPrefix traefik), read by the docker provider from a real dockerd: the same checks."""
import unittest

import docker_harness as dh
from harness import Sluice, entry_point, wait_until
from test_middlewares import ALICE, CAROL, Checks, request


class FromLabels(Checks, unittest.TestCase):
    """The same middlewares as Traefik's container labels, read by the docker provider."""

    @classmethod
    def setUpClass(cls):
        dh.require_docker(cls)
        dh.build_image()
        cls.sluice = Sluice(entry_point() + '[providers.docker]\nlabelPrefix = "traefik"\nexposedByDefault = false\n',
                            None, workers=2)
        cls.sluice.wait_for(r"provider docker: watching unix://")
        cls.port = cls.sluice.port
        p = "traefik.http"
        labels = {"traefik.enable": "true", f"{p}.services.b.loadbalancer.server.port": "80"}
        routes = {"scheme": "to-https", "old": "old-to-new", "headers": "hdrs", "basic": "basic",
                  "digest": "digest", "denied": "office", "allowed": "local", "chained": "bundle",
                  "untyped": "to-health", "sniffed": "to-health,sniff"}
        for path, middleware in routes.items():
            labels[f"{p}.routers.{path}.rule"] = f"PathPrefix(`/{path}`)"
            labels[f"{p}.routers.{path}.service"] = "b"
            labels[f"{p}.routers.{path}.middlewares"] = middleware
        m = f"{p}.middlewares"
        labels.update({
            f"{m}.to-https.redirectscheme.scheme": "https",
            f"{m}.to-https.redirectscheme.port": "8443",
            f"{m}.old-to-new.redirectregex.regex": "^http://([^/]+)/old/(.*)",
            f"{m}.old-to-new.redirectregex.replacement": "http://${1}/new/$2",
            f"{m}.old-to-new.redirectregex.permanent": "true",
            f"{m}.hdrs.headers.customrequestheaders.X-Custom-Request": "yes",
            f"{m}.hdrs.headers.customrequestheaders.X-Drop": "",
            f"{m}.hdrs.headers.customresponseheaders.X-Custom-Response": "yes",
            f"{m}.hdrs.headers.customresponseheaders.X-Instance": "",
            f"{m}.hdrs.headers.accesscontrolalloworiginlist": "https://app.example",
            f"{m}.hdrs.headers.accesscontrolallowmethods": "GET,PUT",
            f"{m}.hdrs.headers.accesscontrolmaxage": "600",
            f"{m}.hdrs.headers.framedeny": "true",
            f"{m}.hdrs.headers.contenttypenosniff": "true",
            f"{m}.basic.basicauth.users": ALICE,
            f"{m}.basic.basicauth.realm": "test",
            f"{m}.basic.basicauth.headerfield": "X-User",
            f"{m}.basic.basicauth.removeheader": "true",
            f"{m}.digest.digestauth.users": CAROL,
            f"{m}.digest.digestauth.realm": "test",
            f"{m}.digest.digestauth.headerfield": "X-User",
            f"{m}.office.ipallowlist.sourcerange": "10.0.0.0/8",
            f"{m}.local.ipallowlist.sourcerange": "127.0.0.1/32, ::1",
            f"{m}.add-v1.addprefix.prefix": "/v1",
            f"{m}.to-health.replacepath.path": "/health",
            f"{m}.sniff.contenttype": "true",
            f"{m}.bundle.chain.middlewares": "hdrs,add-v1",
        })
        dh.run_container("mw", labels=labels)
        if not wait_until(lambda: request(cls.port, "GET", "/allowed/x")[0] == 200, timeout=30):
            raise AssertionError("the labelled container was not served:\n" + cls.sluice.output())

    @classmethod
    def tearDownClass(cls):
        cls.sluice.stop()
        dh.cleanup()
        dh.remove_image()
