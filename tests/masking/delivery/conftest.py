"""Deliveries: each test's own governance engines, and valid synthetic resident IDs."""

from __future__ import annotations

import pytest

from jutong.governance.db import dispose_all
from jutong.identifiers.checkdigits import resident_id_check


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    dispose_all()


def rid(seq: int) -> str:
    """A valid resident ID (GB 11643 check digit) numbered ``seq``."""
    body = f"45010219900307{seq:03d}"
    return body + resident_id_check(body)
