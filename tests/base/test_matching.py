"""jutong.base.matching: Splink's scoring of unkeyed mentions stays a hash join of candidate
pairs (no cross product of the two sides) and reports the time of each of its parts."""

from __future__ import annotations

import time

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


def test_the_transposition_level_is_what_it_says_and_cheap():
    """``ID_LEVELS["transposed"]`` holds exactly for two IDs whose difference is one swap of
    neighbouring characters (Damerau–Levenshtein 1, Hamming 2) — and computes the dear
    Damerau–Levenshtein distance only for pairs two characters apart: DuckDB evaluates both
    sides of an AND on every row, which made it the bulk of Splink's u estimation."""
    import random

    from jutong.base.comparisons import ID_LEVELS

    rng = random.Random(7)
    base = "45010219900101123"
    pairs = [(base, base), (base, base[:5] + base[6] + base[5] + base[7:])]  # one swap
    for _ in range(300):
        b = list(base)
        kind = rng.choice(["swap", "two", "one", "rotate", "random"])
        i = rng.randrange(15)
        if kind == "swap":
            b[i], b[i + 1] = b[i + 1], b[i]
        elif kind == "two":
            for j in rng.sample(range(17), 2):
                b[j] = rng.choice("0123456789X")
        elif kind == "one":
            b[i] = rng.choice("0123456789")
        elif kind == "rotate":
            b[i], b[i + 1], b[i + 2] = b[i + 1], b[i + 2], b[i]
        else:
            b = [rng.choice("0123456789") for _ in range(17)]
        pairs.append((base, "".join(b)))
    con = duckdb.connect()
    con.register("p", pa.table({"id17_l": [a for a, _ in pairs], "id17_r": [b for _, b in pairs]}))
    got = con.execute(f"SELECT {ID_LEVELS['transposed']} FROM p").fetchall()
    want = con.execute(
        "SELECT damerau_levenshtein(id17_l, id17_r) = 1 AND hamming(id17_l, id17_r) = 2 FROM p"
    ).fetchall()
    assert got == want and sum(r[0] for r in got) > 20  # swaps are found, nothing else

    # cheap: on 2,000 x 2,000 unrelated IDs, about what hamming alone costs (~13 s before)
    ids = pa.table({"id17": [f"{rng.randrange(10**17):017d}" for _ in range(2000)]})
    con.register("ids", ids)
    level = ID_LEVELS["transposed"].replace("id17_l", "l.id17").replace("id17_r", "r.id17")
    t = time.perf_counter()
    con.execute(f"SELECT count_if({level}) FROM ids l, ids r").fetchall()
    assert time.perf_counter() - t < 3.0
