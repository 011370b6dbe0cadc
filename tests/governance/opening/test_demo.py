"""The demo's opening story runs on an empty home, once, and prints cases and notices."""

from __future__ import annotations

import re

from jutong.governance.cases.queries import list_cases
from jutong.governance.opening import keys
from jutong.governance.opening.demo import demo_summary

from .conftest import at as beijing
from .conftest import publish_release


def test_opening_story(settings):
    publish_release(settings, "qiye_registrations", beijing("2026-11-01"))
    lines = demo_summary(settings)
    text = "\n".join(lines)
    states = {c.ref: (c.kind, c.state) for c in list_cases(settings)}
    assert sorted(states.values()) == [
        ("catalog_offline", "notice"),
        ("complaint", "restored"),
        ("open_request", "delivered"),
        ("open_request", "submitted"),
    ]
    assert "overdue" in text and "待下线目录公示" in text
    token = re.search(r"(jtk_\S+)", text).group(1)
    assert keys.check_key(settings, token).ok
    again = demo_summary(settings)  # a rerun tells the same story, no new cases, no new key
    assert len(list_cases(settings)) == 4 and "jtk_" not in "\n".join(again)
