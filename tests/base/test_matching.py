"""jutong.base.matching: Splink's scoring of unkeyed mentions stays a hash join of candidate
pairs (no cross product of the two sides) and reports the time of each of its parts."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from jutong.base.matching import _written_join_order, score_unkeyed
from jutong.catalog.model import EntityKind

# the shape of Splink 5's predict_between (link_only): a union of blocking joins, joined back
# to both sides to keep pairs of different sources
SPLINK_SHAPE = """
with l as (select 'u' as sd, uid, k from left_t), r as (select 'k' as sd, uid, k from right_t),
pairs as (
    select l.sd || '-' || l.uid as kl, r.sd || '-' || r.uid as kr
    from l join r on l.k = r.k
    union all
    select l.sd || '-' || l.uid, r.sd || '-' || r.uid
    from l join r on substr(l.k, 1, 3) = substr(r.k, 1, 3) where not (l.k = r.k)
)
select count(*) from pairs p
join l on l.sd || '-' || l.uid = p.kl
join r on r.sd || '-' || r.uid = p.kr
where l.sd != r.sd
"""


def _plan(con) -> str:
    return "\n".join(row[1] for row in con.execute("EXPLAIN " + SPLINK_SHAPE).fetchall())


def test_blocked_pairs_are_joined_back_by_hash_never_by_cross_product():
    con = duckdb.connect()
    con.register(
        "left_t",
        pa.table({"uid": [f"u{i}" for i in range(50)], "k": [f"{i:06d}" for i in range(50)]}),
    )
    con.register(
        "right_t",
        pa.table({"uid": [f"r{i}" for i in range(5000)], "k": [f"{i:06d}" for i in range(5000)]}),
    )
    expected = con.execute(SPLINK_SHAPE).fetchone()[0]
    with _written_join_order(con):
        plan = _plan(con)
        assert "CROSS_PRODUCT" not in plan.replace(" ", "_").upper(), plan
        assert con.execute(SPLINK_SHAPE).fetchone()[0] == expected  # same answer
    # the setting is restored for every other query of the connection
    assert con.execute("select current_setting('disabled_optimizers')").fetchone()[0] == ""


def test_the_scoring_reports_its_parts():
    cols = {
        "id17": pa.string(),
        "m_name": pa.string(),
        "m_birth": pa.string(),
        "m_sex": pa.string(),
        "m_division": pa.string(),
        "m_mobile": pa.string(),
    }
    known = pa.table(
        {
            "entity_id": [f"P{i % 40}" for i in range(80)],
            "id17": [f"4501021990{i % 40:04d}12{i % 10}" for i in range(80)],
            "m_name": [f"名{i % 40}" for i in range(80)],
            "m_birth": ["1990-01-01"] * 80,
            "m_sex": ["1"] * 80,
            "m_division": ["450102"] * 80,
            "m_mobile": [None] * 80,
        },
        schema=pa.schema({"entity_id": pa.string(), **cols}),
    )
    unkeyed = pa.table(
        {
            "mention_id": ["m1", "m2"],
            "id17": ["45010219900001121", None],
            "m_name": ["名1", "名2"],
            "m_birth": ["1990-01-01", "1990-01-01"],
            "m_sex": ["1", "1"],
            "m_division": ["450102", "450102"],
            "m_mobile": [None, None],
        },
        schema=pa.schema({"mention_id": pa.string(), **cols}),
    )
    pairs, model = score_unkeyed(EntityKind.person, unkeyed, known)
    assert list(model.steps) == ["u", "m", "identifier em", "predict", "best pairs"]
    assert all(s >= 0 for s in model.steps.values())
    assert model.report()["steps"] == model.steps
    assert set(pairs.column("mention_id").to_pylist()) <= {"m1", "m2"}
