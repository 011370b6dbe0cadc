"""The case rules are data: every flow's table is complete and printable."""

from __future__ import annotations

from jutong.governance.cases.rules import FLOWS, RESUME, Party, rules_rows


def test_every_state_is_reachable_and_every_clock_belongs_to_a_state():
    for f in FLOWS.values():
        states = set(f.states)
        assert set(f.clocks) <= states, f.name
        assert f.pausing <= states and f.terminal <= states
        for t in f.transitions:
            assert t.roles and t.basis.startswith(("GX-", "LZ-")), t
            assert t.to in states or t.to == RESUME
        # every refusal must cite a legal basis (GX-Dispatch art. 29(3))
        assert all(t.needs_basis for t in f.transitions if t.event in ("refuse", "revoke"))


def test_region_flow_deadlines_follow_gx_dispatch_art_29():
    f = FLOWS["region"]
    assert f.clocks["submitted"].working_days == 2 and f.clocks["submitted"].party is Party.bureau
    assert f.clocks["provider_review"].working_days == 5
    assert f.clocks["provider_review"].party is Party.provider
    assert f.clocks["approved"].working_days == 2 and f.clocks["doubt"].working_days == 3
    city, lz = FLOWS["city"], FLOWS["liuzhou"]
    assert [
        city.clocks[s].working_days for s in ("submitted", "provider_review", "final_review")
    ] == [2, 3, 2]
    assert city.clocks["subscribed"].working_days == 5  # usage feedback, art. 30
    assert lz.clocks["provider_review"].working_days == 3 and lz.clocks["doubt"].working_days == 2


def test_rules_rows_print_the_articles():
    rows = rules_rows("region")
    assert rows[[r[2] for r in rows].index("refuse")][:5] == (
        "region",
        "provider_review",
        "refuse",
        "refused",
        "provider",
    )
    assert any(r[-1] == "GX-Dispatch art. 45" for r in rows)
