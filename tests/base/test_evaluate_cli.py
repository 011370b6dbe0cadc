"""`jutong base evaluate --adversarial`: the matcher on generated adversarial populations,
no lake needed (small sizes here; the default size is what `make test` leaves to
tests/base/test_matching_adversarial.py)."""

from __future__ import annotations

import json

from jutong.cli import main


def test_evaluate_adversarial_prints_both_kinds(settings, capsys):
    rc = main(["base", "evaluate", "--adversarial", "--people", "400", "--orgs", "150", "--json"])
    got = {s["kind"]: s for s in json.loads(capsys.readouterr().out)}
    assert set(got) == {"person", "org"}
    for s in got.values():
        assert s["mentions"] > s["unkeyed"] > 0 and s["trap_merges"] == 0
        assert s["precision"] >= 0.999
    assert rc == (0 if all(s["meets_targets"] for s in got.values()) else 1)
