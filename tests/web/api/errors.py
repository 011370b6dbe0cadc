"""The one error shape of the API, checked."""

from __future__ import annotations


def assert_error(r, status: int, code: str, *fragments: str) -> dict:
    """The one error shape: {"error": {"code", "message", "details"}}."""
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    for f in fragments:
        assert f in body["error"]["message"], body["error"]["message"]
    return body["error"]
