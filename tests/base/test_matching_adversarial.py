"""The matcher on the adversarial populations: persons (``jutong.synth.adversarial``: twins
with consecutive sequence numbers, twin traps, transposed and one-wrong-digit IDs, namesake
groups and Excel-damaged IDs) and organisations (``jutong.synth.adversarial_orgs``: branch
offices, trade names shared between cities, legacy-code-only organisations, mistyped credit
codes). Splink on DuckDB, no Spark (about 30 s + 10 s)."""

from __future__ import annotations

from collections import Counter

import pytest

from jutong.base.matching import score_unkeyed
from jutong.catalog.model import EntityKind
from jutong.synth.adversarial import adversarial_people
from jutong.synth.adversarial_eval import pairwise
from jutong.synth.adversarial_orgs import adversarial_orgs
from spark_jobs.base.steps.probabilistic import decide


def _pairs(sizes: Counter) -> int:
    return sum(n * (n - 1) // 2 for n in sizes.values())


@pytest.fixture(scope="module")
def outcome():
    adv = adversarial_people(2000, seed=7)
    pairs, _ = score_unkeyed(EntityKind.person, adv.unkeyed, adv.known)
    merged, _ = decide(pairs, {})
    return adv, {m: e for m, (e, _, _) in merged.items()}


def test_precision_recall_and_no_twin_merged(outcome):
    adv, merged = outcome
    # pairwise over every mention: the keyed ones in their entity, the unkeyed ones where
    # the matcher put them (alone when it did not)
    true = Counter(adv.known.column("entity_id").to_pylist()) + Counter(adv.truth.values())
    found = Counter(adv.known.column("entity_id").to_pylist()) + Counter(merged.values())
    wrong = Counter(e for m, e in merged.items() if adv.truth[m] != e)
    good = Counter(e for m, e in merged.items() if adv.truth[m] == e)
    keyed = Counter(adv.known.column("entity_id").to_pylist())
    # pairs found correct: keyed pairs + (correct unkeyed x keyed of that entity) + among them
    correct = _pairs(keyed) + sum(good[e] * keyed[e] + good[e] * (good[e] - 1) // 2 for e in good)
    precision = correct / _pairs(found)
    recall = correct / _pairs(true)
    assert precision >= 0.999, (precision, wrong)
    assert recall >= 0.99, recall
    twin_of = {a: b for pair in adv.twins for a, b in (tuple(pair), tuple(pair)[::-1])}
    merged_into_twin = [m for m, e in merged.items() if twin_of.get(adv.truth[m]) == e]
    assert merged_into_twin == []


def test_every_planted_kind_is_mostly_found(outcome):
    adv, merged = outcome
    found = Counter(adv.dirt[m] for m, e in merged.items() if adv.truth[m] == e)
    planted = Counter(adv.dirt.values())
    assert set(planted) == {"check_only", "transposed", "one_digit", "twin_trap", "excel_sci",
                            "excel_lossy"}  # fmt: skip
    for kind, n in planted.items():
        # a twin trap whose sibling is as close as the twin goes to review, by design
        share = 0.7 if kind == "twin_trap" else 0.9
        assert found[kind] >= share * n, (kind, found[kind], n)
    assert len(adv.twins) > 50


@pytest.fixture(scope="module")
def org_outcome():
    adv = adversarial_orgs(600, seed=7)
    pairs, _ = score_unkeyed(EntityKind.org, adv.unkeyed, adv.known)
    merged, _ = decide(pairs, {})
    return adv, {m: e for m, (e, _, _) in merged.items()}


def test_organisations_precision_recall_and_no_branch_or_namesake_merged(org_outcome):
    adv, merged = org_outcome
    score = pairwise("org", adv.known.column("entity_id").to_pylist(), adv.truth, merged, adv.traps)
    assert score.precision >= 0.999, score
    assert score.recall >= 0.99, score
    assert score.wrong_merges == 0 and score.trap_merges == 0, score
    assert len(adv.traps) > 100 and len(adv.legacy) > 5


def test_every_planted_organisation_kind_is_mostly_found(org_outcome):
    adv, merged = org_outcome
    found = Counter(adv.dirt[m] for m, e in merged.items() if adv.truth[m] == e)
    planted = Counter(adv.dirt.values())
    assert set(planted) == {"check_only", "transposed", "one_char", "no_code", "legacy_only"}
    for kind, n in planted.items():
        # a legacy-code-only organisation's mention has its name and little else: one whose
        # county differs (moved) stays apart
        share = 0.85 if kind == "legacy_only" else 0.9
        assert found[kind] >= share * n, (kind, found[kind], n)


def test_pairwise_counts_every_mention():
    # e1: two keyed + u1 (merged right); e2: one keyed, u2 merged wrongly into e1 (a trap)
    score = pairwise(
        "person",
        ["e1", "e1", "e2"],
        {"u1": "e1", "u2": "e2", "u3": "e2"},
        {"u1": "e1", "u2": "e1"},
        {frozenset(("e1", "e2"))},
    )
    # true pairs: e1 has 3 mentions (3 pairs) + e2 3 (3) = 6; found: e1's cluster of 4 (6),
    # e2 and u3 alone; correct: the 3 pairs of e1
    assert (score.precision, score.recall) == (0.5, 0.5)
    assert (score.wrong_merges, score.trap_merges, score.entities) == (1, 1, 2)
