"""The demo's share story runs on an empty home, once, and prints cases and the audit."""

from __future__ import annotations

import pytest

from jutong.governance.cases.queries import list_cases
from jutong.governance.db import dispose_all
from jutong.governance.sharing.demo import demo_summary


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    dispose_all()


def test_share_story(settings):
    lines = demo_summary(settings)
    text = "\n".join(lines)
    states = {c.ref: c.state for c in list_cases(settings)}
    assert states == {
        "SR-000001": "subscribed",
        "SR-000002": "closed_refused",
        "SR-000003": "submitted",
        "SR-000004": "granted",
        "SR-000005": "subscribed",  # the bureau's theme mart, unconditional
    }
    assert list_cases(settings)[-1].provider == "dashuju"
    assert "overdue" in text and "Audit chain: intact" in text
    again = demo_summary(settings)  # a rerun tells the same story, no new cases
    assert len(list_cases(settings)) == 5 and again[1:-1] == lines[1:-1]
