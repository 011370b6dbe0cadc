"""Edges of the Spark part of the data path, derived from the catalog (never written by hand):

* ``extract → raw``: each catalog item's ``source_column`` (the header in the department's
  file) becomes the raw column named by the item (``jutong.ingest.core.raw_schema``);
* ``raw → staging``: the item's standardize rule (``DataItem.standardize_rule``, applied by
  ``spark_jobs.standardize``; the delivered value is kept in ``<item>_raw`` when the rule
  changed it, an address also gives its county in ``<item>_division``);
* ``staging → base``: the mentions of each entry (``base.mentions``; a mention's golden fields
  are ``CatalogEntry.mention_fields``, as ``spark_jobs.base.mentions`` takes them) resolved
  into the population or legal-entity base, each golden field by survivorship — the
  authoritative department's value first (``authoritative_for``, 一数一源), otherwise the most
  recent one; the spatial and licence bases, and every column the lake adds itself, as the
  theme sources declare them (``jutong.themes.sources.TABLES``).
"""

from __future__ import annotations

from jutong.catalog.loader import Catalog
from jutong.catalog.model import BaseDatabase, CatalogEntry, EntityKind, StandardizeRule
from jutong.lake import Zone
from jutong.lineage.model import ROWS, Edge, Hop, column_name, edge
from jutong.themes.sources import TABLES

# The id and key columns of the entity bases (spark_jobs/base/steps/ids.py: ID_COLUMN,
# KEY_COLUMN; tests/lineage checks they agree).
ID_COLUMN = {EntityKind.person: "person_id", EntityKind.org: "org_id"}
KEY_COLUMN = {EntityKind.person: "resident_id", EntityKind.org: "uscc"}
# Address fields carry the county the address lies in (spark_jobs/base/mentions.py).
ADDRESS_FIELDS = ("domicile_address", "residence_address", "registered_address")

# What each standardize rule does (jutong.standardize, spark_jobs.rules, jutong.identifiers).
RULE_DETAIL = {
    StandardizeRule.resident_id: "GB 11643-1999: cleaned, 15-digit IDs upgraded, check "
    "character verified (jutong.identifiers)",
    StandardizeRule.uscc: "GB 32100-2015: cleaned, check character verified; legacy "
    "registration numbers and organisation codes recognised (jutong.identifiers)",
    StandardizeRule.party_id: "a resident ID (GB 11643) or a credit code (GB 32100), "
    "whichever the value is",
    StandardizeRule.person_name: "one written form: half-width, the middle dot of "
    "transliterated names, spaces between Chinese characters removed (jutong.standardize.names)",
    StandardizeRule.phone: "canonical mobile or landline number (jutong.standardize.phones)",
    StandardizeRule.sex: "GB/T 2261.1 code (jutong.standardize.sex)",
    StandardizeRule.date: "ISO 8601 date from the extract's forms (jutong.standardize.dates)",
    StandardizeRule.division: "GB/T 2260 division code, historical codes kept "
    "(jutong.standardize.divisions)",
    StandardizeRule.address: "address split into province, city, county and rest "
    "(jutong.standardize.addresses)",
    StandardizeRule.integer: "integer",
    StandardizeRule.decimal: "decimal",
    StandardizeRule.text: "trimmed; empty -> null",
}


def _extract_edges(catalog: Catalog, entry: CatalogEntry) -> list[Edge]:
    t = entry.table_name
    rows = {z: column_name(z, t, ROWS) for z in ("extract", Zone.raw, Zone.staging)}
    out = [
        edge(rows[Zone.raw], rows["extract"], Hop.ingest, "copied", "every delivered row"),
        edge(
            rows[Zone.staging],
            rows[Zone.raw],
            Hop.standardize,
            "filtered",
            "the rows of batches that passed the quality gate (failing rows quarantined)",
        ),
    ]
    for it in entry.items:
        src = column_name("extract", t, it.column)
        raw = column_name(Zone.raw, t, it.name)
        kind = "copied" if it.column == it.name else "renamed"
        fmt = entry.extract.format.value
        enc = f", {entry.extract.encoding}" if fmt == "csv" else ""
        out.append(
            edge(
                raw,
                src,
                Hop.ingest,
                kind,
                f"{catalog.department_name(entry.department)} {entry.title}: column "
                f"'{it.column}' of the {fmt}{enc} extract, kept as text ({it.label})",
            )
        )
        rule = it.standardize_rule
        staging = column_name(Zone.staging, t, it.name)
        out.append(
            edge(
                staging,
                raw,
                Hop.standardize,
                "standardized",
                f"rule {rule.value}: {RULE_DETAIL[rule]}",
            )
        )
        out.append(
            edge(
                column_name(Zone.staging, t, f"{it.name}_raw"),
                raw,
                Hop.standardize,
                "copied",
                "the delivered value, kept where standardization changed it",
            )
        )
        if rule is StandardizeRule.address:
            out.append(
                edge(
                    column_name(Zone.staging, t, f"{it.name}_division"),
                    raw,
                    Hop.standardize,
                    "derived",
                    "county (GB/T 2260) the address lies in",
                )
            )
    return out


def _mention_edges(catalog: Catalog, entry: CatalogEntry) -> list[Edge]:
    t = entry.table_name
    out = []
    for m in entry.base.mentions:
        base = m.kind.base
        key_src = column_name(Zone.staging, t, m.key)
        who = f"mention '{m.role}' of {entry.id}"
        out.append(
            edge(
                column_name(Zone.base, base, KEY_COLUMN[m.kind]),
                key_src,
                Hop.base,
                "entity key",
                f"{who}: the valid identifier its record is resolved by (exact match, then "
                "Splink for the rest)",
            )
        )
        out.append(
            edge(
                column_name(Zone.base, base, ID_COLUMN[m.kind]),
                key_src,
                Hop.base,
                "derived",
                f"{who}: stable id kept per key ({base}_keys)",
            )
        )
        out.append(
            edge(
                column_name(Zone.base, base, ROWS),
                key_src,
                Hop.base,
                "entity resolution",
                f"{who}: one golden record per resolved {m.kind.value}",
            )
        )
        for field, item in sorted(entry.mention_fields(m).items()):
            out += _field_edges(catalog, entry, m, base, field, column_name(Zone.staging, t, item))
            if field in ADDRESS_FIELDS:
                div = field.replace("_address", "_division")
                out.append(
                    edge(
                        column_name(Zone.base, base, div),
                        column_name(Zone.staging, t, f"{item}_division"),
                        Hop.base,
                        "survivorship",
                        f"{who}: the county of the golden {field}",
                    )
                )
        for field, value in sorted(m.constants.items()):
            out.append(
                edge(
                    column_name(Zone.base, base, field),
                    None,
                    Hop.base,
                    "constant",
                    f"{who}: '{value}' implied by the role (a candidate value for survivorship)",
                )
            )
    return out


def _field_edges(catalog, entry, mention, base, field, source) -> list[Edge]:
    who = f"mention '{mention.role}' of {entry.id}"
    authoritative = catalog.authoritative_source(base, field)
    if field in entry.base.authoritative_for and entry.base.feeds.value == base:
        why = (
            f"authoritative source (一数一源): {catalog.department_name(entry.department)} "
            f"{entry.title} wins"
        )
    elif authoritative is not None:
        why = (
            f"used only where the authoritative {authoritative.id} "
            f"({catalog.department_name(authoritative.department)}) has no value: "
            "the most recent value wins"
        )
    else:
        why = "no authoritative source: the most recent value wins"
    values = mention.values.get(field)
    if values:
        shown = ", ".join(f"{k}→{v if v is not None else '(none)'}" for k, v in values.items())
        why += f"; values mapped {shown}"
    return [
        edge(column_name(Zone.base, base, field), source, Hop.base, "survivorship", f"{who}: {why}")
    ]


def _declared_edges(catalog: Catalog, known: set[str]) -> list[Edge]:
    """Base and staging columns the theme sources declare that no mention gives: the spatial
    and licence bases (from their catalog items), lake-made ids, links and provenance."""
    out = []
    for t in TABLES:
        for col in t.columns:
            target = column_name(t.zone, t.name, col.name)
            if target in known:
                continue
            refs = [r for r in col.items if not r.startswith("golden:")]
            if refs:
                for ref in refs:
                    dataset, item = ref.rsplit(".", 1)
                    entry = catalog.get(dataset)
                    out.append(
                        edge(
                            target,
                            column_name(Zone.staging, entry.table_name, item),
                            Hop.base,
                            "copied" if item == col.name else "derived",
                            f"{col.en} ({t.zh}, built from {entry.id})",
                        )
                    )
            elif not col.items:
                kind = "reference" if t.name == "spatial_division" else "platform"
                why = (
                    "GB/T 2260 division list (jutong/reference/divisions.csv)"
                    if kind == "reference"
                    else f"set by the platform: {col.en}"
                )
                out.append(edge(target, None, Hop.base, kind, why))
    return out


def catalog_edges(catalog: Catalog) -> list[Edge]:
    """Every edge from a department's extract column to the base databases."""
    out: list[Edge] = []
    for entry in catalog:
        out += _extract_edges(catalog, entry)
        if entry.base.feeds is not BaseDatabase.none or entry.base.mentions:
            out += _mention_edges(catalog, entry)
    out += _declared_edges(catalog, {e.target for e in out})
    return out
