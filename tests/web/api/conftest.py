"""API tests: each test's own governance database (tests/web/conftest.py)."""

import pytest


@pytest.fixture(autouse=True)
def _own_governance_db(governance_db):
    yield
