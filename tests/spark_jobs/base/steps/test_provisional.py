"""Entities without a valid key (issue 13 items 2 and 3): an organisation known only by a
legacy code is an entity of its own, and keeps its id when its credit code arrives."""

from __future__ import annotations

import datetime as dt

import pytest

from jutong.catalog.model import EntityKind
from tests.spark_jobs.base.conftest import T1, T2

# whole base builds on Spark, four times: with the end-to-end tests (`make test-e2e`, CI)
pytestmark = [pytest.mark.spark, pytest.mark.e2e]

AS_OF = dt.date(2026, 11, 1)
BUILT = dt.datetime(2026, 11, 1, 9, 30)
USCC_A = "91450100MA5K00001X"
# a credit code whose organisation code (positions 9–17) is the legacy one below
USCC_LEGACY = "12450405856060908Y"


def _org(mid, row, at, **values):
    return {
        "mention_id": mid,
        "dataset": "shichang.qiye" if values.get("key") else "renshe.shebao",
        "department": "shichang" if values.get("key") else "renshe",
        "batch_id": "b1" if at == T1 else "b2",
        "row_number": row,
        "role": "org" if values.get("key") else "employer",
        "loaded_at": at,
        **values,
    }


def _resolve(mentions_df, keymap, kind=EntityKind.org):
    from spark_jobs.base.resolve import resolve_entities
    from spark_jobs.base.steps.ids import canonical_keys

    said: list[str] = []
    out = resolve_entities(
        mentions_df,
        canonical_keys(mentions_df, kind),
        keymap,
        kind,
        AS_OF,
        decisions={},
        history_so_far=None,
        built_at=BUILT,
        progress=said.append,
    )
    return out, said


def test_a_legacy_code_only_organisation_is_an_entity_of_its_own(mentions, spark):
    rows = [
        _org("q1", 1, T1, key=USCC_A, key_status="valid", org_name="南宁市华盛贸易有限公司"),
        # two social-insurance rows naming the employer by its old organisation code only
        _org("s1", 1, T2, key_status="legacy", legacy_kind="legacy_orgcode",
             legacy_code="856060908", org_name="梧州市万秀区大龙水库管理所"),
        _org("s2", 2, T2, key_status="legacy", legacy_kind="legacy_orgcode",
             legacy_code="856060908", org_name="梧州市万秀区大龙水库管理所"),
        # a code nobody else has and no name: still an entity, never unplaced
        _org("s3", 3, T2, key_status="legacy", legacy_kind="legacy_regno",
             legacy_code="450405000012345"),
    ]  # fmt: skip
    df = mentions(EntityKind.org, rows)
    keymap = spark.createDataFrame(
        [(USCC_A, "E0000000001", AS_OF)], "key string, entity_id string, first_seen date"
    )
    out, said = _resolve(df, keymap)
    links = {r["mention_id"]: r for r in out.tables["legal_entity_links"].collect()}
    assert {m: (r["entity_id"], r["status"], r["match_kind"]) for m, r in links.items()} == {
        "q1": ("E0000000001", "matched", "exact"),
        "s1": ("E0000000002", "matched", "legacy_key"),
        "s2": ("E0000000002", "matched", "legacy_key"),
        "s3": ("E0000000003", "matched", "legacy_key"),
    }
    golden = {r["org_id"]: r for r in out.current.collect()}
    assert {
        i: (r["uscc"], r["org_code"], r["registration_no"], r["provisional_key"], r["org_name"])
        for i, r in golden.items()
    } == {
        "E0000000001": (USCC_A, "MA5K00001", None, None, "南宁市华盛贸易有限公司"),
        "E0000000002": (None, "856060908", None, "orgcode:856060908", "梧州市万秀区大龙水库管理所"),
        "E0000000003": (None, None, "450405000012345", "regno:450405000012345", None),
    }
    assert out.summary["legacy_key"] == 3 and out.summary["quarantined"] == 0
    assert out.summary["ledger_balanced"]
    assert any("3 unplaced mentions placed under 2 provisional keys" in s for s in said)
    out.release()


def test_a_credit_code_carrying_the_legacy_code_inherits_its_id(mentions, spark):
    from spark_jobs.base.steps.ids import new_keys
    from spark_jobs.base.steps.provisional import inherit_legacy

    existing = spark.createDataFrame(
        [
            (USCC_A, "E0000000001", AS_OF),
            ("orgcode:856060908", "E0000000002", AS_OF),
            ("regno:450405000012345", "E0000000003", AS_OF),
            ("orgcode:111111116", "E0000000004", AS_OF),  # already inherited by a credit code
            ("91450100111111116Q", "E0000000004", AS_OF),
        ],
        "key string, entity_id string, first_seen date",
    )
    keyed = mentions(
        EntityKind.org,
        [
            {"mention_id": "q2", "key": USCC_LEGACY},
            {"mention_id": "q3", "key": "92450405MA5K0000XZ", "registration_no": "450405000012345"},
            {"mention_id": "q4", "key": "91450100MA5K00002A"},
            {"mention_id": "q5", "key": "91450300111111116R"},  # E4 is taken: a new id
        ],
    )
    new = new_keys(keyed, existing, "E", dt.date(2026, 12, 1), 4)
    got = {r["key"]: r["entity_id"] for r in inherit_legacy(new, existing, keyed).collect()}
    assert got == {
        USCC_LEGACY: "E0000000002",
        "92450405MA5K0000XZ": "E0000000003",
        "91450100MA5K00002A": "E0000000006",
        "91450300111111116R": "E0000000007",
    }


def test_legacy_mentions_follow_their_credit_code_once_it_is_known(mentions, spark):
    """The next build: the enterprise register now has the credit code; the old rows' legacy
    code maps to it, and the key map (after ``inherit_legacy``) gives the old entity id."""
    rows = [
        _org("q9", 9, T1, key=USCC_LEGACY, key_status="valid", org_name="梧州市大龙水库管理所"),
        _org("s1", 1, T2, key_status="legacy", legacy_kind="legacy_orgcode",
             legacy_code="856060908", org_name="梧州市万秀区大龙水库管理所"),
    ]  # fmt: skip
    df = mentions(EntityKind.org, rows)
    keymap = spark.createDataFrame(
        [("orgcode:856060908", "E0000000002", AS_OF), (USCC_LEGACY, "E0000000002", AS_OF)],
        "key string, entity_id string, first_seen date",
    )
    out, _ = _resolve(df, keymap)
    links = {r["mention_id"]: (r["entity_id"], r["match_kind"]) for r in out.tables[
        "legal_entity_links"].collect()}  # fmt: skip
    assert links == {"q9": ("E0000000002", "exact"), "s1": ("E0000000002", "legacy_code")}
    (org,) = out.current.collect()
    assert (org["uscc"], org["org_code"], org["provisional_key"]) == (
        USCC_LEGACY,
        "856060908",
        None,
    )
    out.release()


def _person(mid, row, **values):
    return {
        "mention_id": mid,
        "dataset": "renshe.shebao",
        "department": "renshe",
        "batch_id": "b2",
        "row_number": row,
        "role": "employee",
        "loaded_at": T2,
        **values,
    }


KNOWN = [  # (resident ID, name, birth date, sex, county)
    ("450102199001011234", "王伟", dt.date(1990, 1, 1), "1", "450102"),
    ("450103198505052345", "李娜", dt.date(1985, 5, 5), "2", "450103"),
    ("450202197203033456", "张军", dt.date(1972, 3, 3), "1", "450202"),
    ("450304200011114567", "刘芳", dt.date(2000, 11, 11), "2", "450304"),
    ("450405196507075678", "陈强", dt.date(1965, 7, 7), "1", "450405"),
    ("450521198812126789", "杨丽", dt.date(1988, 12, 12), "2", "450521"),
]


def test_one_persons_rows_sharing_a_mistyped_id_become_one_entity(mentions, spark):
    """Two social-insurance rows with one wrong-check ID and nobody keyed to match: one
    entity under a provisional key, resident ID null (never the invalid one). Two legal
    representatives known by a name only stay apart, with their reason."""
    rows = []
    # six keyed persons, two rows each (one with a mobile): what the model learns from
    for i, (rid, name, birth, sex, county) in enumerate(KNOWN):
        for k in range(2):
            rows.append(
                _person(f"k{i}{k}", 10 * i + k, key=rid, key_status="valid", id17=rid[:17],
                        name=name, m_name=name, m_birth=birth, m_sex=sex, m_division=county,
                        m_mobile=f"1380000000{i}" if k else None)
            )  # fmt: skip
    same = {
        "key_status": "invalid",
        "key_raw": "450721199701723630",
        "id17": "45072119970172363",
        "name": "帕提古丽·吐拉洪",
        "m_name": "帕提古丽·吐拉洪",
        "m_birth": dt.date(1997, 1, 22),
        "m_sex": "2",
        "m_division": "450721",
    }
    rows += [_person("w1", 101, **same), _person("w2", 102, **same)]
    rows += [
        _person(f"r{k}", 200 + k, key_status="missing", name="赵刚", m_name="赵刚") for k in (1, 2)
    ]
    df = mentions(EntityKind.person, rows)
    keymap = spark.createDataFrame(
        [(rid, f"P{i + 1:010d}", AS_OF) for i, (rid, *_) in enumerate(KNOWN)],
        "key string, entity_id string, first_seen date",
    )
    out, _ = _resolve(df, keymap, EntityKind.person)
    links = {r["mention_id"]: r for r in out.tables["population_links"].collect()}
    assert links["w1"]["entity_id"] == links["w2"]["entity_id"] == "P0000000007"
    assert links["w1"]["match_kind"] == "clustered"
    for m in ("r1", "r2"):
        assert links[m]["entity_id"] is None and links[m]["status"] == "quarantined"
        assert links[m]["reason"] == (
            "no identifier; only a name to compare; no match at or above 0.99"
        )
    golden = {r["person_id"]: r for r in out.current.collect()}
    w = golden["P0000000007"]
    assert (w["resident_id"], w["provisional_key"], w["name"]) == (
        None,
        "mentions:w1",
        "帕提古丽·吐拉洪",
    )
    assert golden["P0000000001"]["provisional_key"] is None
    assert out.summary["clustered"] == 2 and out.summary["entities"] == 7
    out.release()
