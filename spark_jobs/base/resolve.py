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
from dataclasses import asdict, dataclass, field

from pyspark.sql import DataFrame, Row
from pyspark.sql import functions as F

from jutong.base.matching import features, score_unkeyed
from jutong.catalog.matching import DEFAULT as DEFAULT_MATCHING
from jutong.catalog.matching import MatchSettings
from jutong.catalog.model import EntityKind
from spark_jobs.base.steps import history, ledger, links, probabilistic
from spark_jobs.base.steps.conflicts import conflicts
from spark_jobs.base.steps.ids import ID_COLUMN
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
) -> EntityOutputs:
    """Resolve the mentions of ``kind`` into the build's tables.

    Input: all mentions (``spark_jobs.base.mentions`` shape); ``canon``, the mentions that
    are not exact duplicates with their usable key (``steps.ids.canonical_keys``);
    ``keymap``, the key map with an id for every key of ``canon`` (``key``, ``entity_id``);
    the review decisions; the history published so far (or None); the build time
    (``_built_at``). ``progress`` is told how many unkeyed mentions were scored. ``match``:
    the base's thresholds (``catalog/matching.yaml``).
    """
    base = kind.base
    cached: list[DataFrame] = []

    def keep(df: DataFrame) -> DataFrame:
        cached.append(df)
        return df.cache()

    keyed = canon.filter(F.col("key").isNotNull())
    known = keep(links.keyed_links(keyed, keymap))

    # probabilistic matching of the mentions without a usable key: one review subject
    # (mentions with equal features) scored and decided once for all its rows
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
    pairs, model = score_unkeyed(kind, unk_arrow, known_arrow, match=match)
    decided, pending = probabilistic.decide(pairs, decisions, match)
    probabilistic.review_details(by_subject, known, pending, kind, members)
    merged, pending_ids = probabilistic.fan_out(members, decided, pending)
    n_scored = sum(len(v) for v in members.values())
    progress(
        f"{base}: {n_scored:,} mentions without a usable key scored; "
        f"{len(merged):,} merged, {len(pending_ids):,} to review"
        + (f" ({len({p['mention_id'] for p in pending}):,} review items)" if pending else "")
    )

    resolved = keep(
        links.matched_by_key(known).unionByName(
            links.unkeyed_links(unkeyed, merged, pending_ids, match.match_upper)
        )
    )
    link_rows = keep(links.link_table(resolved, links.duplicate_links(mentions, resolved)))

    linked = resolved.filter(F.col("link_status") == "matched")
    order = SurvivorOrder(linked)
    golden = keep(golden_records(linked, kind, order))
    conf = keep(conflicts(linked, golden, kind, order))

    # counts for the report and the ledger
    summary: dict = {"match_model": asdict(model), **links.link_counts(link_rows)}
    summary["quarantine_reasons"] = links.quarantine_reasons(link_rows)
    summary["entities"] = golden.count()
    summary["conflicts"] = conf.count()
    ledger_rows = keep(ledger.ledger(mentions, link_rows, base, as_of))
    unbalanced = ledger.unbalanced(ledger_rows)
    summary["ledger_balanced"] = not unbalanced

    # history: a new version only where the golden values changed
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
