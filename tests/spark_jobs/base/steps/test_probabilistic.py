"""Splink's scored pairs decided: merge, clerical review or apart; what is worth scoring."""

from __future__ import annotations

import pyarrow as pa
import pytest

from jutong.catalog.model import EntityKind


def _pairs(rows):
    m, e, p = zip(*rows, strict=True)
    return pa.table({"mention_id": list(m), "entity_id": list(e), "match_probability": list(p)})


def test_decide_merges_clear_matches_and_queues_the_grey_zone():
    from spark_jobs.base.steps.probabilistic import decide

    pairs = _pairs(
        [
            ("m1", "e1", 0.995),
            ("m1", "e2", 0.5),  # runner-up below match_lower: m1 merges into e1
            ("m2", "e1", 0.995),
            ("m2", "e2", 0.7),  # runner-up in the grey zone: both to review
            ("m3", "e3", 0.8),
            ("m3", "e4", 0.65),
            ("m3", "e5", 0.62),
            ("m3", "e6", 0.61),  # at most three candidates are queued
            ("m4", "e1", 0.7),  # accepted by a reviewer
            ("m5", "e1", 0.999),  # rejected by a reviewer; the rest is below the zone
            ("m5", "e2", 0.3),
            ("m6", "e2", 0.995),  # a tie: both to review, entity order breaks it
            ("m6", "e1", 0.995),
        ]
    )
    decided = {("m4", "e1"): "accepted", ("m5", "e1"): "rejected", ("m2", "e2"): "pending"}
    merged, pending = decide(pairs, decided)
    assert merged == {"m1": ("e1", "probabilistic", 0.995), "m4": ("e1", "review", 0.7)}
    assert pending == [
        {"mention_id": "m2", "entity_id": "e1", "match_probability": 0.995},
        {"mention_id": "m2", "entity_id": "e2", "match_probability": 0.7},
        {"mention_id": "m3", "entity_id": "e3", "match_probability": 0.8},
        {"mention_id": "m3", "entity_id": "e4", "match_probability": 0.65},
        {"mention_id": "m3", "entity_id": "e5", "match_probability": 0.62},
        {"mention_id": "m6", "entity_id": "e1", "match_probability": 0.995},
        {"mention_id": "m6", "entity_id": "e2", "match_probability": 0.995},
    ]


def test_decide_follows_the_catalogs_thresholds():
    """catalog/matching.yaml: a lower merge threshold merges what the default reviews; a
    higher lower bound leaves apart what the default reviews; fewer review candidates."""
    from jutong.catalog.matching import MatchSettings
    from spark_jobs.base.steps.probabilistic import decide

    pairs = _pairs([("m1", "e1", 0.95), ("m2", "e2", 0.7), ("m2", "e3", 0.65)])
    merged, pending = decide(pairs, {})
    assert merged == {} and [p["mention_id"] for p in pending] == ["m1", "m2", "m2"]
    loose = MatchSettings(match_upper=0.9, match_lower=0.68, review_candidates=1)
    merged, pending = decide(pairs, {}, loose)
    assert merged == {"m1": ("e1", "probabilistic", 0.95)}
    assert pending == [{"mention_id": "m2", "entity_id": "e2", "match_probability": 0.7}]
    strict = MatchSettings(match_upper=0.999, match_lower=0.9)
    merged, pending = decide(pairs, {}, strict)
    assert merged == {} and pending == [
        {"mention_id": "m1", "entity_id": "e1", "match_probability": 0.95}
    ]


def test_decide_on_no_pairs():
    from spark_jobs.base.steps.probabilistic import decide

    empty = pa.table(
        {
            "mention_id": pa.array([], pa.string()),
            "entity_id": pa.array([], pa.string()),
            "match_probability": pa.array([], pa.float64()),
        }
    )
    assert decide(empty, {}) == ({}, [])


@pytest.mark.spark
def test_candidates_need_more_than_sex(mentions):
    from spark_jobs.base.steps.probabilistic import candidates

    df = mentions(
        EntityKind.person,
        [
            {"mention_id": "sex only", "m_sex": "1"},
            {"mention_id": "name", "m_name": "王伟"},
            {"mention_id": "id17", "id17": "45010219900101123"},
            {"mention_id": "nothing"},
        ],
    )
    out = candidates(df, EntityKind.person)
    assert out.columns == df.columns
    assert sorted(r["mention_id"] for r in out.collect()) == ["id17", "name"]


@pytest.mark.spark
def test_review_details_put_both_records_side_by_side(mentions):
    from spark_jobs.base.steps.probabilistic import review_details

    scored = mentions(
        EntityKind.person, [{"mention_id": "u1", "m_name": "王伟", "m_mobile": "13800000001"}]
    )
    known = mentions(
        EntityKind.person,
        [{"m_name": "王 伟", "m_sex": "1"}, {"m_name": "王 伟", "m_sex": "1"}],
        extra=("entity_id",),
    ).fillna({"entity_id": "P1"})
    pending = [
        {"mention_id": "u1", "entity_id": "P1", "match_probability": 0.8},
        {"mention_id": "u1", "entity_id": "P9", "match_probability": 0.7},
    ]
    review_details(scored, known, pending, EntityKind.person)
    blank = dict.fromkeys(("id17", "m_birth", "m_sex", "m_division", "m_mobile"))
    mention = {**blank, "m_name": "王伟", "m_mobile": "13800000001"}
    assert pending[0]["details"] == {
        "mention": mention,
        "entity": {**blank, "m_name": "王 伟", "m_sex": "1"},
        "mentions": ["u1"],
    }
    assert pending[1]["details"] == {"mention": mention, "entity": {}, "mentions": ["u1"]}
    grouped = [{"mention_id": "u1", "entity_id": "P1", "match_probability": 0.8}]
    review_details(scored, known, grouped, EntityKind.person, {"u1": ["s|b|2|p", "s|b|1|p"]})
    assert grouped[0]["details"]["mentions"] == ["s|b|1|p", "s|b|2|p"]
    nothing: list[dict] = []
    review_details(scored, known, nothing, EntityKind.person)
    assert nothing == []


@pytest.mark.spark
def test_mentions_with_equal_features_are_one_review_subject(mentions):
    from spark_jobs.base.steps.probabilistic import SUBJECT_PREFIX, subjects

    row = {"id17": "45010219970172363", "m_name": "杨军", "m_sex": "1"}
    df = mentions(
        EntityKind.person,
        [
            {"mention_id": "s|b|1|p", **row},
            {"mention_id": "s|b|2|p", **row},
            {"mention_id": "s|b|3|p", **row, "m_mobile": "13800000001"},
            {"mention_id": "s|b|4|p", **row},  # decided on its own before grouping
            {"mention_id": "s|b|5|p", "m_name": "杨军"},
            {"mention_id": "s|b|6|p", "m_name": "杨军", "m_sex": ""},
        ],
    )
    got = {
        r["mention_id"]: r["subject"]
        for r in subjects(df, EntityKind.person, {"s|b|4|p", "g:x"}).collect()
    }
    assert got["s|b|1|p"] == got["s|b|2|p"] and got["s|b|1|p"].startswith(SUBJECT_PREFIX)
    assert got["s|b|3|p"] != got["s|b|1|p"]
    assert got["s|b|4|p"] == "s|b|4|p"
    assert got["s|b|5|p"] != got["s|b|6|p"]  # null is not the empty string
    # stable across runs: the key depends on the features only
    again = subjects(df.filter("mention_id = 's|b|2|p'"), EntityKind.person).first()["subject"]
    assert again == got["s|b|1|p"]


def test_fan_out_applies_each_subject_decision_to_all_its_rows():
    from spark_jobs.base.steps.probabilistic import fan_out

    members = {"g:a": ["m1", "m2"], "g:b": ["m3"], "g:c": ["m4", "m5"]}
    merged, waiting = fan_out(
        members,
        {"g:a": ("P1", "review", 0.7)},
        [{"mention_id": "g:c", "entity_id": "P2", "match_probability": 0.8}],
    )
    assert merged == {"m1": ("P1", "review", 0.7), "m2": ("P1", "review", 0.7)}
    assert waiting == {"m4", "m5"}
