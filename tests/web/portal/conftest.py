"""A TestClient over the portal application (web.portal.create_portal_app) on the released home."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from web.portal import create_portal_app

HTML = {"Accept": "text/html"}


@pytest.fixture()
def client(portal_settings):
    with TestClient(create_portal_app(portal_settings)) as c:
        yield c
