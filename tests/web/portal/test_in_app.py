"""The portal inside the web service's application (``web.app.create_app``), included the way
``create_app`` wires it (``app.include_router(web.portal.router)``, ``mount_static(app)``). The
portal reads the application's settings (its request context), and its errors and the API's
share one JSON shape."""

from __future__ import annotations

from fastapi.testclient import TestClient

from jutong.governance import releases as G
from tests.web.conftest import QIYE
from web.app import create_app


def test_the_portal_in_the_service_app(portal_settings):
    app = create_app(portal_settings)
    with TestClient(app) as c:
        assert c.get("/api/v1/health").json()["status"] == "ok"
        page = c.get("/catalog").text
        assert f'data-dataset="{QIYE}"' in page and "/static/vendor/pico-2.1.1/" in page
        assert c.get("/static/site.css").status_code == 200
        assert c.get(f"/releases/{QIYE}/v2/data.csv").status_code == 200
        G.suspend(portal_settings, QIYE, "投诉：核实中", actor="staff")
        r = c.get(f"/releases/{QIYE}/v2/data.csv")
        assert r.status_code == 451 and set(r.json()) == {"error"}
        assert set(r.json()["error"]) == {"code", "message", "details"}
        # the service's own handlers give a bad query the same shape
        bad = c.get("/catalog", params={"open_type": "all"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid"
        # the portal's pages are not part of the REST API's OpenAPI document
        paths = c.get("/api/openapi.json").json()["paths"]
        assert paths and all(p.startswith("/api/") for p in paths)
