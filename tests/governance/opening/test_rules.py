"""The opening flows as data: every deadline with its article, per urgency level; the existing
share flows unchanged by the new clock fields."""

from __future__ import annotations

import pytest

from jutong.governance.cases.rules import FLOWS, Party, rules_rows

# (flow, state) -> (party, basis, normal span, urgent span, most urgent span) as (wd, hours)
DEADLINES = {
    ("open_conditional", "submitted"): (
        Party.centre,
        "GX-Open art. 20(2)",
        (2, 0),
        (1, 0),
        (0, 12),
    ),
    ("open_conditional", "provider_review"): (
        Party.provider,
        "GX-Open art. 20(3)",
        (5, 0),
        (2, 0),
        (1, 0),
    ),
    ("open_conditional", "answer_granted"): (
        Party.bureau,
        "GX-Open art. 20(4)",
        (2, 0),
        (2, 0),
        (2, 0),
    ),
    ("open_conditional", "answer_refused"): (
        Party.bureau,
        "GX-Open art. 20(4)",
        (2, 0),
        (2, 0),
        (2, 0),
    ),
    ("open_conditional", "doubt"): (Party.provider, "GX-Open art. 20(6)", (3, 0), (3, 0), (3, 0)),
    ("open_on_request", "submitted"): (
        Party.provider,
        "GX-Dispatch art. 33",
        (3, 0),
        (3, 0),
        (3, 0),
    ),
    ("open_on_request", "opening"): (Party.provider, "GX-Dispatch art. 33", (5, 0), (5, 0), (5, 0)),
    ("catalog_update_open", "updating"): (Party.provider, "GX-Open art. 15", (10, 0), None, None),
    ("catalog_update_dispatch", "updating"): (
        Party.provider,
        "GX-Dispatch art. 39",
        (15, 0),
        None,
        None,
    ),
    ("catalog_update_liuzhou", "updating"): (
        Party.provider,
        "LZ-Rules art. 14",
        (10, 0),
        None,
        None,
    ),
    ("catalog_offline", "submitted"): (Party.bureau, "GX-Dispatch art. 21(2)", (3, 0), None, None),
    ("data_offline", "submitted"): (Party.bureau, "GX-Dispatch art. 27(2)", (5, 0), None, None),
    ("data_offline_liuzhou", "submitted"): (Party.bureau, "LZ-Rules art. 21", (3, 0), None, None),
    ("complaint", "suspended"): (Party.bureau, "GX-Open art. 22", (5, 0), None, None),
}


@pytest.mark.parametrize(("key", "want"), list(DEADLINES.items()), ids=lambda k: str(k))
def test_every_opening_deadline_with_its_article(key, want):
    flow, state = key
    party, basis, normal, urgent, most = want
    clock = FLOWS[flow].clocks[state]
    assert (clock.party, clock.basis, clock.span(None)) == (party, basis, normal)
    if urgent:
        assert clock.span("urgent") == urgent and clock.span("most_urgent") == most


def test_every_clock_of_the_opening_flows_is_listed_here():
    listed = {k for k in DEADLINES}
    for name in (
        "open_conditional",
        "open_on_request",
        "catalog_offline",
        "data_offline",
        "data_offline_liuzhou",
        "complaint",
    ):
        assert {(name, s) for s in FLOWS[name].clocks} <= listed, name


def test_share_flows_keep_working_day_clocks_without_levels():
    for name in ("region", "city", "liuzhou"):
        for clock in FLOWS[name].clocks.values():
            assert clock.hours == 0 and clock.urgency == ()
            assert clock.span("most_urgent") == (clock.working_days, 0)


def test_printed_rules_show_urgency_spans_and_guards():
    rows = {(r[0], r[1], r[2]): r for r in rules_rows()}
    assert rows[("open_conditional", "submitted", "pass")][7] == (
        "provider 5 wd / 加急 2 wd / 特急 1 wd"
    )
    assert rows[("open_conditional", "delivered", "doubt")][6] == "reasons within 2 wd"
    assert rows[("catalog_offline", "notice", "remove")][6] == "after notice"
    assert rows[("open_conditional", "provider_review", "refuse")][6] == "legal basis"
