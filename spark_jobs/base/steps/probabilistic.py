"""Probabilistic matching of the mentions without a usable key: which ones Splink scores,
and what its scored pairs decide (merge, clerical review, apart).

Mentions whose compared features are all equal (one person's monthly social-insurance rows
with the same mistyped ID) are one **review subject**: the model cannot tell them apart, so
they are scored once, decided once — merged, queued for clerical review as one item, or kept
apart — and a reviewer's decision covers every row of the subject, on this build and on
later ones (the subject key is a hash of the features, stable across runs).

The scoring itself is ``jutong.base.matching.score_unkeyed`` (Splink over Arrow tables).
"""

from __future__ import annotations

from collections import defaultdict

import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jutong.base.matching import features
from jutong.catalog.matching import DEFAULT as DEFAULT_MATCHING
from jutong.catalog.matching import MatchSettings
from jutong.catalog.model import EntityKind


def candidates(unkeyed: DataFrame, kind: EntityKind) -> DataFrame:
    """The unkeyed mentions worth scoring: those with at least one compared feature other
    than sex (sex alone identifies nobody). Input and output: mention rows (same columns)."""
    informative = F.lit(False)
    for c in features(kind):
        if c != "m_sex":
            informative = informative | F.col(c).isNotNull()
    return unkeyed.filter(informative)


# prefix of a review subject key (a mention id never starts with it: it starts with the dataset)
SUBJECT_PREFIX = "g:"


def subjects(scored: DataFrame, kind: EntityKind, decided: set[str] | frozenset = frozenset()):
    """The review subject of each mention: ``g:`` + a hash of its compared features, or
    the mention id itself when a decision was already recorded for that single mention
    (before mentions were grouped; such a decision keeps applying to it alone).

    Input: mention rows (``mention_id`` and the kind's features). Output: the same rows
    with ``subject``."""
    parts = [F.coalesce(F.col(c).cast("string"), F.lit("\u0000")) for c in features(kind)]
    key = F.concat(
        F.lit(SUBJECT_PREFIX), F.substring(F.sha2(F.concat_ws("\u001f", *parts), 256), 1, 24)
    )
    single = [d for d in decided if not d.startswith(SUBJECT_PREFIX)]
    if single:
        key = F.when(F.col("mention_id").isin(single), F.col("mention_id")).otherwise(key)
    return scored.withColumn("subject", key)


def fan_out(
    members: dict[str, list[str]],
    merged: dict[str, tuple[str, str, float]],
    pending: list[dict],
) -> tuple[dict[str, tuple[str, str, float]], set[str]]:
    """What was decided per subject, per mention: ``{mention_id: (entity, how, p)}`` and the
    mention ids waiting in clerical review. ``members``: subject -> its mention ids."""
    by_mention = {m: d for s, d in merged.items() for m in members.get(s, ())}
    waiting = {m for p in pending for m in members.get(p["mention_id"], ())}
    return by_mention, waiting


def decide(
    pairs: pa.Table,
    decided: dict[tuple[str, str], str],
    match: MatchSettings = DEFAULT_MATCHING,
) -> tuple[dict[str, tuple[str, str, float]], list[dict]]:
    """Per unkeyed mention: (entity, how, probability) when merged, and the grey-zone
    pairs still waiting for a decision.

    Input: ``pairs`` (``mention_id``, ``entity_id``, ``match_probability``) and the review
    decisions (``accepted`` / ``rejected`` per (mention, entity)). ``mention_id`` is whatever
    is decided on: a review subject (``subjects``) in the build.
    Output: ``{mention_id: (entity_id, "review" | "probabilistic", probability)}`` and the
    pending pairs (``mention_id``, ``entity_id``, ``match_probability``; at most
    ``match.review_candidates`` per mention, each at or above ``match.match_lower``). Merged:
    the best live candidate at or above ``match.match_upper`` with no second one at or above
    ``match.match_lower`` (catalog/matching.yaml).
    """
    by_mention: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for m, e, p in zip(
        pairs.column("mention_id").to_pylist(),
        pairs.column("entity_id").to_pylist(),
        pairs.column("match_probability").to_pylist(),
        strict=False,
    ):
        by_mention[m].append((p, e))
    merged: dict[str, tuple[str, str, float]] = {}
    pending: list[dict] = []
    for m, cands in by_mention.items():
        cands.sort(key=lambda x: (-x[0], x[1]))
        accepted = [(p, e) for p, e in cands if decided.get((m, e)) == "accepted"]
        if accepted:
            merged[m] = (accepted[0][1], "review", accepted[0][0])
            continue
        live = [(p, e) for p, e in cands if decided.get((m, e)) != "rejected"]
        if not live:
            continue
        p1, e1 = live[0]
        p2 = live[1][0] if len(live) > 1 else 0.0
        if p1 >= match.match_upper and p2 < match.match_lower:
            merged[m] = (e1, "probabilistic", p1)
        else:
            pending.extend(
                {"mention_id": m, "entity_id": e, "match_probability": p}
                for p, e in live[: match.review_candidates]
                if p >= match.match_lower
            )
    return merged, pending


def review_details(
    scored: DataFrame,
    known: DataFrame,
    pending: list[dict],
    kind: EntityKind,
    members: dict[str, list[str]] | None = None,
) -> None:
    """Attach both records' compared features to each pending pair (for ``review list``):
    ``pending[i]["details"] = {"mention": {...}, "entity": {...}, "mentions": [...]}`` —
    ``mentions``, the rows the pair's subject covers (``members``: subject -> mention ids;
    without it, each pair is about one mention).

    Input: ``scored`` (``mention_id`` and the kind's features; with ``members``, the
    subjects' rows under their subject key in ``mention_id``), ``known`` (``entity_id`` and
    the features)."""
    if not pending:
        return
    cols = list(features(kind))
    ms = {p["mention_id"] for p in pending}
    es = {p["entity_id"] for p in pending}
    left = {
        r["mention_id"]: {c: r[c] for c in cols}
        for r in scored.filter(F.col("mention_id").isin(list(ms)))
        .select("mention_id", *cols)
        .collect()
    }
    right: dict[str, dict] = {}
    for r in (
        known.filter(F.col("entity_id").isin(list(es)))
        .select("entity_id", *cols)
        .dropDuplicates(["entity_id"])
        .collect()
    ):
        right[r["entity_id"]] = {c: r[c] for c in cols}
    for p in pending:
        covered = (members or {}).get(p["mention_id"], [p["mention_id"]])
        p["details"] = {
            "mention": left.get(p["mention_id"], {}),
            "entity": right.get(p["entity_id"], {}),
            "mentions": sorted(covered),
        }
