"""Build the population and legal-entity base databases (GX-Reg art. 23; LZ-Rules art. 15).

Steps, all on one DataFrame of mentions (``spark_jobs.base.mentions``):

1. **Exact duplicates** (``_duplicate_of`` from standardize) are set aside and later linked
   to the entity of the row they copy.
2. **Exact match** on the normalized key: a valid resident ID / credit code; for
   organisations also a legacy organisation code (positions 9–17 of a credit code, GB
   32100) or registration number (the enterprise register's ``registration_no``) that maps
   to exactly one credit code. Entity ids come from the key map table (``<base>_keys``):
   a key keeps its id across runs; new keys get the next numbers, in key order.
3. **Probabilistic match** of what is left (``jutong.base.matching``, Splink): merge at or
   above ``match_upper`` (catalog/matching.yaml), clerical review between the thresholds (decisions from
   ``jutong review`` are applied), apart below — an unkeyed mention that is not merged is
   quarantined with its reason, never dropped and never merged on a shared placeholder.
   What is still unplaced gets a provisional key (``steps.provisional``): an organisation
   known only by a legacy code becomes an entity under that code, and unkeyed mentions that
   are one entity among themselves (the same mistyped ID, name, birth date) one under their
   smallest mention id; a later credit code carrying a legacy code inherits its entity id.
4. **Survivorship** (一数一源, GX-Reg art. 16): per golden field the value from the
   authoritative department (catalog ``authoritative_for``), otherwise the most recent
   non-null value (load time, then batch and row); each golden field carries its lineage
   (department, dataset, batch, row, loaded_at) in ``<field>_source``.
5. **Conflicts**: where another department's latest value differs from the golden one,
   both values and both sources go to ``<base>_conflicts``.
6. **History**: a new version in ``<base>_history`` (SCD type 2: ``_version``,
   ``_valid_from``) only for entities whose golden values changed; ``read_as_of`` reads a
   record as of a date.
7. **Ledger** per batch and role: mentions in = matched + quarantined + exact duplicates.

The job has three parts: ``build_entities`` reads its inputs (the mentions in staging, the
review decisions, the history so far; the key map is read and its new keys published by
``assign_ids`` before any id is used), ``spark_jobs.base.resolve.resolve_entities`` computes
every output table without touching the lake (its steps are in ``spark_jobs.base.steps``),
and ``publish_outputs`` writes them. Every table is published by write-audit-publish; the
current table's audit checks the key uniqueness and the ledger before it becomes visible.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jutong.base import review
from jutong.catalog.loader import Catalog
from jutong.catalog.model import EntityKind
from jutong.lake import AuditError, Lake, Zone, table_id
from jutong.settings import Settings
from jutong.steps import StepClock
from spark_jobs.base.mentions import authoritative_fields, mention_frame, mentions_of
from spark_jobs.base.release import releases_jvm_objects
from spark_jobs.base.resolve import EntityOutputs, resolve_entities
from spark_jobs.base.steps import history
from spark_jobs.base.steps.ids import ID_COLUMN, ID_PREFIX, canonical_keys, highest_number, new_keys
from spark_jobs.base.steps.ledger import imbalance_message
from spark_jobs.base.steps.provisional import inherit_legacy
from spark_jobs.lake import count_at, frame_at, publish_tables, read_table, write_table

log = logging.getLogger(__name__)

BASE_ZONE = Zone.base
STAGING_ZONE = Zone.staging


@dataclass
class EntityBuild:
    base: str
    as_of: str
    entities: int = 0
    mentions: int = 0
    exact: int = 0
    legacy_code: int = 0
    probabilistic: int = 0
    reviewed: int = 0
    legacy_key: int = 0
    clustered: int = 0
    duplicates: int = 0
    quarantined: int = 0
    review_pending: int = 0
    conflicts: int = 0
    new_versions: int = 0
    new_ids: int = 0
    tickets: int = 0
    ledger_balanced: bool = True
    snapshot_id: int | None = None
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    match_model: dict = field(default_factory=dict)
    steps: dict[str, float] = field(default_factory=dict)  # step -> wall seconds

    @property
    def merged(self) -> int:
        """Mentions folded into an entity that already had one (mentions - entities)."""
        placed = self.exact + self.legacy_code + self.probabilistic + self.reviewed
        return placed + self.legacy_key + self.clustered - self.entities

    def as_dict(self) -> dict:
        d = asdict(self)
        d["merged"] = self.merged
        return d


# ---- inputs ----------------------------------------------------------------------------


def load_mentions(
    spark: SparkSession, lake: Lake, catalog: Catalog, kind: EntityKind
) -> DataFrame | None:
    """All mentions of ``kind`` in the staging zone (published batches only)."""
    frames = []
    for entry, mention in mentions_of(catalog, kind):
        staged = read_table(spark, lake, STAGING_ZONE, entry.table_name)
        if staged is None:
            continue
        auth = authoritative_fields(catalog, entry, kind)
        frames.append(mention_frame(staged, entry, mention, auth))
    if not frames:
        return None
    out = frames[0]
    for f in frames[1:]:
        out = out.unionByName(f)
    return out


def assign_ids(
    spark: SparkSession,
    lake: Lake,
    kind: EntityKind,
    keys: DataFrame,
    as_of: dt.date,
    held: list[DataFrame] | None = None,
) -> tuple[DataFrame, int]:
    """The key map with ids for every key in ``keys``: existing ids kept, new keys
    numbered after the highest id, in key order (``steps.ids.new_keys``) — a new credit code
    whose organisation code or registration number (``keys.registration_no``) is a
    legacy-code-only organisation's takes that organisation's id
    (``steps.provisional.inherit_legacy``). Publishes the new keys (before any id is used);
    returns (key map of all keys, number of new ids). The frames it caches are appended to
    ``held`` (the caller unpersists them when the build is over)."""
    name = f"{kind.base}_keys"
    existing = read_table(spark, lake, BASE_ZONE, name)
    if existing is None:
        existing = spark.createDataFrame([], "key string, entity_id string, first_seen date")
    existing = existing.cache()
    new = new_keys(keys, existing, ID_PREFIX[kind], as_of, highest_number(existing))
    if kind is EntityKind.org and "registration_no" in keys.columns:
        # a credit code carrying a legacy-code-only organisation's code takes its id
        new = inherit_legacy(new, existing, keys)
    new = new.cache()
    if held is not None:
        held.extend((existing, new))
    n_new = new.count()
    if n_new:
        write_table(
            lake,
            BASE_ZONE,
            name,
            new,
            replace=False,
            properties={"jutong.as_of": as_of.isoformat(), "jutong.new_keys": str(n_new)},
        )
    return existing.unionByName(new), n_new


def _assign_provisional(
    spark, lake, kind, keys: DataFrame, as_of, res: EntityBuild, held: list[DataFrame]
):
    """Ids for the provisional keys of a build (legacy codes, clusters of unkeyed mentions),
    published in the key map like any key; counted in ``res.new_ids``."""
    keymap, n_new = assign_ids(spark, lake, kind, keys, as_of, held)
    res.new_ids += n_new
    return keymap


# ---- the build -------------------------------------------------------------------------


@releases_jvm_objects
def build_entities(
    spark: SparkSession,
    settings: Settings,
    catalog: Catalog,
    kind: EntityKind,
    as_of: dt.date,
    *,
    lake: Lake | None = None,
    progress: Callable[[str], None] | None = None,
    gate: Callable[[DataFrame, str], None] | None = None,
) -> EntityBuild:
    """Build ``population`` (persons) or ``legal_entity`` (organisations) from staging."""
    lake = lake or Lake(settings)
    base = kind.base
    say = progress or (lambda s: log.info(s))
    res = EntityBuild(base=base, as_of=as_of.isoformat())
    clock = StepClock()

    # (1) inputs; the key map's new keys are published here, before any id is used
    with clock.step("inputs"):
        mentions = load_mentions(spark, lake, catalog, kind)
        if mentions is None:
            raise AuditError(f"{base}: no staging table holds a {kind.value} mention yet")
        mentions = mentions.cache()
    held: list[DataFrame] = [mentions]  # cached here: unpersisted however the build ends
    outputs: EntityOutputs | None = None
    try:
        with clock.step("inputs"):
            res.mentions = mentions.count()
        say(f"{base}: {res.mentions:,} mentions")
        with clock.step("keys"):
            decisions = review.decisions(settings, base)
            history_so_far = read_table(spark, lake, BASE_ZONE, f"{base}_history")
            canon = canonical_keys(mentions, kind).cache()
            held.append(canon)
            keymap, res.new_ids = assign_ids(
                spark, lake, kind, canon.filter(F.col("key").isNotNull()), as_of, held
            )

        # (2) resolution: every output table, nothing written
        outputs = resolve_entities(
            mentions,
            canon,
            keymap,
            kind,
            as_of,
            decisions=decisions,
            history_so_far=history_so_far,
            built_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            progress=say,
            match=catalog.match_settings(base),
            assign=lambda keys: _assign_provisional(spark, lake, kind, keys, as_of, res, held),
            clock=clock,
        )
        res = replace(res, **outputs.summary)
        with clock.step("review queue"):
            res.review_pending = review.sync_pending(
                settings, base, outputs.pending, outputs.covered
            )

        # (3) publish
        props = {
            "jutong.as_of": as_of.isoformat(),
            "jutong.entities": str(res.entities),
            "jutong.mentions": str(res.mentions),
            "jutong.new_versions": str(res.new_versions),
        }
        with clock.step("publish"):
            res.snapshot_id = publish_outputs(lake, outputs, properties=props, gate=gate)
        with clock.step("tickets"):
            res.tickets = open_conflict_tickets(settings, base, outputs.conflicts, as_of)
    finally:
        # cached frames released whether the build published or failed (a failed audit,
        # an interrupted publish): a session building again must not carry them
        if outputs is not None:
            outputs.release()
        for df in held:
            df.unpersist()
    say(
        f"{base}: {res.entities:,} entities from {res.mentions:,} mentions "
        f"({res.merged:,} merged, {res.duplicates:,} exact duplicates, "
        f"{res.quarantined:,} quarantined), {res.conflicts:,} conflicts, "
        f"{res.new_versions:,} new versions"
    )
    res.steps = clock.rounded()
    say(f"{base}: steps: {clock.line()}")
    return res


def publish_outputs(
    lake: Lake,
    outputs: EntityOutputs,
    *,
    properties: dict[str, str],
    gate: Callable[[DataFrame, str], None] | None = None,
) -> int:
    """Publish every table of ``outputs`` as one unit (``jutong.lake.publish``): each is
    written and audited on its branch first — the current table (``<base>``) for its row
    count, ledger balance, unique ids and the quality ``gate`` — and only then are they
    published, so that a base is never seen with a ledger, links or history of another build
    (a crash in between is finished by ``jutong lake repair``). Returns the current table's
    snapshot id."""
    base = outputs.base
    parts = max(1, outputs.expected_rows[base] // 1_000_000 + 1)
    large = {base, f"{base}_history", f"{base}_links"}
    published = publish_tables(
        lake,
        BASE_ZONE,
        f"build.{base}",
        outputs.tables,
        properties=properties,
        appended=outputs.appended,
        audits={base: _current_audit(outputs, gate)},
        files_hint={name: parts for name in large},
    )
    return published[table_id(BASE_ZONE, base)]


def _current_audit(outputs: EntityOutputs, gate: Callable[[DataFrame, str], None] | None):
    """The audit of the current table's branch: the expected row count, a balanced ledger,
    one row per id, and the quality gate — on the rows as written on the branch (read back
    from its files: what is published, and a short plan instead of the whole resolution's)."""
    base, id_col = outputs.base, outputs.id_column
    spark = outputs.current.sparkSession
    expected = outputs.expected_rows[base]

    def audit(table, snapshot_id: int) -> None:
        n = count_at(table, snapshot_id)
        if n != expected:
            raise AuditError(f"base.{base}: {n} rows on the branch for {expected}")
        if outputs.unbalanced:
            raise AuditError(imbalance_message(base, outputs.unbalanced[0]))
        current = frame_at(spark, table, snapshot_id)
        if current is None:
            raise AuditError(f"base.{base}: no data file on the branch")
        dup_ids = current.groupBy(id_col).count().filter("count > 1").limit(1).collect()
        if dup_ids:
            raise AuditError(f"base.{base}: {id_col} {dup_ids[0][id_col]} appears twice")
        if gate is not None:
            gate(current, f"base.{base}")

    return audit


def open_conflict_tickets(settings: Settings, base: str, conf: DataFrame, as_of: dt.date) -> int:
    """One correction ticket per department and field whose values disagree with the
    authoritative golden value (GX-Reg art. 18: the provider verifies within 5 working
    days); idempotent per build date."""
    from jutong.governance.tickets import open_tickets

    groups = (
        conf.groupBy("other_department", "field", "golden_department")
        .agg(
            F.count("*").alias("n"),
            F.slice(F.array_sort(F.collect_list(F.col(conf.columns[0]))), 1, 5).alias("ex"),
        )
        .orderBy("other_department", "field")
        .collect()
    )
    specs = [
        {
            "department": g["other_department"],
            "kind": "conflict",
            "subject": (
                f"{g['n']:,} {base}.{g['field']} value(s) differ from the golden value "
                f"(source: {g['golden_department']})"
            ),
            "details": {
                "base": base,
                "field": g["field"],
                "conflicts": g["n"],
                "examples": list(g["ex"]),
                "see": f"jutong base conflicts {base} --field {g['field']}",
            },
            "source_ref": f"conflict:{base}:{g['other_department']}:{g['field']}:{as_of}",
        }
        for g in groups
    ]
    return len(open_tickets(settings, specs))


def read_as_of(
    spark: SparkSession, lake: Lake, kind: EntityKind, as_of: dt.date
) -> DataFrame | None:
    """Every entity's golden record as it was on ``as_of`` (the latest version whose
    ``_valid_from`` is not after it)."""
    hist = read_table(spark, lake, BASE_ZONE, f"{kind.base}_history")
    if hist is None:
        return None
    return history.as_of(hist, ID_COLUMN[kind], as_of)
