"""Entity resolution of one entity build, from its inputs to every table it publishes,
without reading or writing the lake (``spark_jobs.base.entities`` does both).

``resolve_entities`` links each mention to its entity (exact key, probabilistic match with
the review decisions applied, or quarantine; exact duplicates follow the row they copy),
builds the golden records with their lineage, the conflicts, the new history versions and
the ledger, and returns them as ``EntityOutputs`` with the figures the audits check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow as pa
from pyspark.sql import DataFrame, Row
from pyspark.sql import functions as F

from jutong.base.matching import clusters, features, score_among, score_unkeyed
from jutong.catalog.matching import DEFAULT as DEFAULT_MATCHING
from jutong.catalog.matching import MatchSettings
from jutong.catalog.model import EntityKind
from jutong.steps import StepClock, steps_line
from spark_jobs.base.steps import history, ledger, links, probabilistic, provisional
from spark_jobs.base.steps.conflicts import conflicts
from spark_jobs.base.steps.ids import ID_COLUMN, ID_PREFIX, highest_number, new_keys
from spark_jobs.base.steps.survivorship import SurvivorOrder, golden_records


@dataclass
class EntityOutputs:
    """Every table of one entity build (computed, not yet published) and what the audits
    and the summary need.

    ``tables``: table name -> rows, in publish order: ``<base>`` (replaces the current
    rows), ``<base>_history`` (appended; present only when some golden record changed),
    ``<base>_links``, ``<base>_conflicts``, ``<base>_ledger`` (each replaces).
    ``expected_rows``: the row count each audited table must have on its branch.
    ``unbalanced``: ledger lines that do not balance (any refuses the publish).
    ``pending``: grey-zone pairs (review subject, candidate entity) for the clerical review
    queue, each with the mention ids it covers (``details["mentions"]``).
    ``covered``: every review subject of this build -> its mention ids.
    ``summary``: the build's figures, named as ``EntityBuild``'s fields.
    """

    base: str
    id_column: str
    tables: dict[str, DataFrame]
    appended: frozenset[str]
    expected_rows: dict[str, int]
    unbalanced: list[Row]
    pending: list[dict]
    summary: dict
    covered: dict[str, list[str]] = field(default_factory=dict)
    cached: list[DataFrame] = field(default_factory=list)

    @property
    def current(self) -> DataFrame:
        """The golden records as they will be published (``<base>``)."""
        return self.tables[self.base]

    @property
    def conflicts(self) -> DataFrame:
        return self.tables[f"{self.base}_conflicts"]

    def release(self) -> None:
        """Unpersist the frames cached while resolving."""
        for df in self.cached:
            df.unpersist()


def resolve_entities(
    mentions: DataFrame,
    canon: DataFrame,
    keymap: DataFrame,
    kind: EntityKind,
    as_of: dt.date,
    *,
    decisions: dict[tuple[str, str], str],
    history_so_far: DataFrame | None,
    built_at: dt.datetime,
    progress: Callable[[str], None],
    match: MatchSettings = DEFAULT_MATCHING,
    assign: Callable[[DataFrame], DataFrame] | None = None,
    clock: StepClock | None = None,
) -> EntityOutputs:
    """Resolve the mentions of ``kind`` into the build's tables.

    Input: all mentions (``spark_jobs.base.mentions`` shape); ``canon``, the mentions that
    are not exact duplicates with their usable key (``steps.ids.canonical_keys``);
    ``keymap``, the key map with an id for every key of ``canon`` (``key``, ``entity_id``);
    the review decisions; the history published so far (or None); the build time
    (``_built_at``). ``progress`` is told how many unkeyed mentions were scored. ``match``:
    the base's thresholds (``catalog/matching.yaml``). ``assign``: the key map rows
    (``key``, ``entity_id``) of the provisional keys it is given (``key``), publishing the new
    ones (``spark_jobs.base.entities``); without it, new ids are numbered after ``keymap``'s
    highest, in memory. ``clock``: the build's step clock (``jutong.steps``), told the time
    of each step.
    """
    cached: list[DataFrame] = []
    try:
        return _resolve(
            mentions,
            canon,
            keymap,
            kind,
            as_of,
            cached,
            decisions=decisions,
            history_so_far=history_so_far,
            built_at=built_at,
            progress=progress,
            match=match,
            assign=assign,
            clock=clock or StepClock(),
        )
    except BaseException:
        for df in cached:  # nothing of a failed resolution stays cached
            df.unpersist()
        raise


def _resolve(
    mentions: DataFrame,
    canon: DataFrame,
    keymap: DataFrame,
    kind: EntityKind,
    as_of: dt.date,
    cached: list[DataFrame],
    *,
    decisions: dict[tuple[str, str], str],
    history_so_far: DataFrame | None,
    built_at: dt.datetime,
    progress: Callable[[str], None],
    match: MatchSettings,
    assign: Callable[[DataFrame], DataFrame] | None,
    clock: StepClock,
) -> EntityOutputs:
    """``resolve_entities``; every frame it caches is appended to ``cached``."""
    base = kind.base

    def keep(df: DataFrame) -> DataFrame:
        cached.append(df)
        return df.cache()

    with clock.step("keyed links"):
        keyed = canon.filter(F.col("key").isNotNull())
        known = keep(links.keyed_links(keyed, keymap))

    # probabilistic matching of the mentions without a usable key: one review subject
    # (mentions with equal features) scored and decided once for all its rows
    with clock.step("matching"):
        cols = list(features(kind))
        unkeyed = keep(canon.filter(F.col("key").isNull()))
        scored = keep(
            probabilistic.subjects(
                probabilistic.candidates(unkeyed, kind), kind, {s for s, _ in decisions}
            )
        )
        members: dict[str, list[str]] = {}
        for r in scored.select("subject", "mention_id").collect():
            members.setdefault(r["subject"], []).append(r["mention_id"])
        by_subject = scored.dropDuplicates(["subject"]).select(
            F.col("subject").alias("mention_id"), *cols
        )
        unk_arrow = by_subject.toArrow()
        known_arrow = known.select("entity_id", *cols).distinct().toArrow()
    with clock.step("splink"):
        pairs, model = score_unkeyed(kind, unk_arrow, known_arrow, match=match)
    with clock.step("matching"):
        decided, pending = probabilistic.decide(pairs, decisions, match)
        probabilistic.review_details(by_subject, known, pending, kind, members)
        merged, pending_ids = probabilistic.fan_out(members, decided, pending)
        n_scored = sum(len(v) for v in members.values())
        progress(
            f"{base}: {n_scored:,} mentions without a usable key scored; "
            f"{len(merged):,} merged, {len(pending_ids):,} to review"
            + (f" ({len({p['mention_id'] for p in pending}):,} review items)" if pending else "")
            + ("; splink: " + steps_line(model.steps) if model.steps else "")
        )

    # what is still unplaced: legacy-code-only organisations and clusters of unkeyed
    # mentions become entities under a provisional key (steps.provisional)
    with clock.step("provisional keys"):
        placed = _provisional_placements(
            unkeyed, by_subject, members, decided, pending, merged, kind, model, match
        )
        prov_map = None
        if placed:
            spark = canon.sparkSession
            keys = spark.createDataFrame(sorted({(k,) for k, _ in placed.values()}), "key string")
            if assign is None:
                fresh = new_keys(keys, keymap, ID_PREFIX[kind], as_of, highest_number(keymap))
                assigned = keymap.select("key", "entity_id").unionByName(
                    fresh.select("key", "entity_id")
                )
            else:
                assigned = assign(keys)
            prov_map = keep(assigned.join(F.broadcast(keys), "key").select("key", "entity_id"))
            ids = {r["key"]: r["entity_id"] for r in prov_map.collect()}
            for m, (k, how) in placed.items():
                merged[m] = (ids[k], how, 1.0)
            progress(
                f"{base}: {len(placed):,} unplaced mentions placed under {len(ids):,} "
                "provisional keys (legacy codes, clusters of unkeyed mentions)"
            )

    with clock.step("links"):
        resolved = keep(
            links.matched_by_key(known).unionByName(
                links.unkeyed_links(unkeyed, merged, pending_ids, match.match_upper)
            )
        )
        link_rows = keep(links.link_table(resolved, links.duplicate_links(mentions, resolved)))
        link_summary = links.link_summary(link_rows)

    with clock.step("golden records"):
        linked = resolved.filter(F.col("link_status") == "matched")
        order = SurvivorOrder(linked)
        golden = golden_records(linked, kind, order)
        if prov_map is None:
            prov_map = canon.sparkSession.createDataFrame([], "key string, entity_id string")
        golden = keep(provisional.with_provisional(golden, prov_map, kind, ID_COLUMN[kind]))
        conf = keep(conflicts(linked, golden, kind, order))
        n_entities, n_conflicts = golden.count(), conf.count()

    # counts for the report and the ledger
    summary: dict = {"match_model": model.report(), **link_summary}
    summary["entities"], summary["conflicts"] = n_entities, n_conflicts
    with clock.step("ledger"):
        ledger_rows = keep(ledger.ledger(mentions, link_rows, base, as_of))
        unbalanced = ledger.unbalanced(ledger_rows)
        summary["ledger_balanced"] = not unbalanced

    # history: a new version only where the golden values changed
    with clock.step("history"):
        id_col = ID_COLUMN[kind]
        versioned = keep(history.versioned(golden, history_so_far, id_col, as_of, built_at))
        new_versions = versioned.filter("_changed").drop("_changed")
        summary["new_versions"] = new_versions.count()

        tables = {base: versioned.drop("_changed")}
        if summary["new_versions"]:
            tables[f"{base}_history"] = new_versions
        tables[f"{base}_links"] = link_rows
        tables[f"{base}_conflicts"] = conf
        tables[f"{base}_ledger"] = ledger_rows

    return EntityOutputs(
        base=base,
        id_column=id_col,
        tables=tables,
        appended=frozenset({f"{base}_history"}),
        expected_rows={base: summary["entities"]},
        unbalanced=unbalanced,
        pending=pending,
        summary=summary,
        covered=members,
        cached=cached,
    )


def _provisional_placements(
    unkeyed: DataFrame,
    by_subject: DataFrame,
    members: dict[str, list[str]],
    decided: dict,
    pending: list[dict],
    merged: dict,
    kind: EntityKind,
    model,
    match: MatchSettings,
) -> dict[str, tuple[str, str]]:
    """The unplaced mentions that get a provisional key: mention id -> (key, how), ``how``
    ``legacy_key`` for an organisation known only by a legacy code (also while a review item
    about it waits: it is never left unplaced), ``clustered`` for unkeyed mentions that are
    one entity among themselves (subjects neither merged nor in review, scored by
    ``jutong.base.matching.score_among``)."""
    placed: dict[str, tuple[str, str]] = {}
    if kind is EntityKind.org:
        for r in (
            unkeyed.filter(F.col("legacy_code").isNotNull())
            .select("mention_id", "legacy_kind", "legacy_code")
            .collect()
        ):
            if r["mention_id"] not in merged:
                key = provisional.legacy_key(r["legacy_kind"], r["legacy_code"])
                placed[r["mention_id"]] = (key, "legacy_key")
    waiting = {p["mention_id"] for p in pending}
    rest = [
        s
        for s, ms in members.items()
        if s not in decided and s not in waiting and not any(m in placed for m in ms)
    ]
    if not rest:
        return placed
    cols = list(features(kind))
    table = by_subject.filter(F.col("mention_id").isin(rest)).select("mention_id", *cols).toArrow()
    sizes = [len(members[s]) for s in table.column("mention_id").to_pylist()]
    table = table.append_column("members", pa.array(sizes, pa.int64()))
    found = clusters(score_among(kind, table, model, match=match), match.match_upper)
    groups: dict[str, list[str]] = {}
    for subject, root in found.items():
        groups.setdefault(root, []).extend(members[subject])
    for ms in groups.values():
        if len(ms) < 2:
            continue
        key = provisional.cluster_key(ms)
        for m in ms:
            placed[m] = (key, "clustered")
    return placed
