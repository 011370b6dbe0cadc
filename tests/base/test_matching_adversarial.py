"""The person matcher on the adversarial population (``jutong.synth.adversarial``): twins
with consecutive sequence numbers, twin traps, transposed and one-wrong-digit IDs, namesake
groups and Excel-damaged IDs. Splink on DuckDB, no Spark (about 30 s)."""

from __future__ import annotations

from collections import Counter

import pytest

from jutong.base.matching import score_unkeyed
from jutong.catalog.model import EntityKind
from jutong.synth.adversarial import adversarial_people
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
