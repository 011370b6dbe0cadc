"""Open-data releases: definitions, build, versioned folders, and the complaint state machine.

A release definition (``<catalog_dir>/releases/<id>.yaml``, validated by ``ReleaseDefinition``)
names the base or theme table it reads, its catalog entry (the source of the GX-Open art. 16
metadata), the columns and, for statistics, the dimensions of the counts.

``build_release`` (GX-Reg art. 25; GX-Open art. 16, 19; SX-Reg art. 15):

1. reads the table from the lake;
2. applies the open policy of every column (``masking.policies``);
3. runs the anonymity gate (``masking.anonymity``): k-anonymity of the quasi-identifiers for
   record releases, small-cell and secondary suppression for aggregates;
4. runs a residual PII scan of every string column of the output: any detected resident ID,
   mobile number or bank card refuses the release, naming column, row and entity (masked);
5. writes ``<lake_root>/releases/<id>/v<N>/``: ``data.csv`` (UTF-8), ``data.parquet``,
   ``metadata.json`` (DCAT-style, with GX-Open art. 16's fields), ``report.json`` (masking,
   anonymity, residual scan) and ``SHA256SUMS``. It is written into a temporary folder and
   renamed into place only when everything passed, so a refused build leaves nothing visible.

Complaints (GX-Open art. 22): whoever believes an opened dataset infringes privacy or trade
secrets reports it; the provider suspends the opening at once, verifies, then withdraws or
restores it, or reopens it after processing (a new build). ``suspend``, ``withdraw`` and
``restore`` record each action with its reason, actor and time in the governance database;
``serve_path`` refuses a release that is suspended or withdrawn.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import hashlib
import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from jutong.catalog import Catalog, CatalogEntry, load_catalog
from jutong.catalog.model import OpenType, UpdateCycle
from jutong.governance import db
from jutong.governance.schema import release_events, release_versions
from jutong.settings import Settings
from masking import columns as C
from masking.anonymity import (
    AnonymityError,
    QuasiIdentifier,
    check_cells,
    k_anonymize,
    suppress_cells,
)
from masking.policies import (
    Action,
    Audience,
    ColumnPolicy,
    PolicyError,
    apply_policies,
    check_override,
    item_for_column,
    policy_for_item,
)

RELEASES_FOLDER = "releases"
ID = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
COLUMN = re.compile(r"^[a-z_][a-z0-9_]*$")
# Residual scan: a detected personal identifier refuses the release. Credit codes of
# organisations are public register data and are not in this set.
REFUSAL_ENTITIES = ("CN_RESIDENT_ID", "CN_MOBILE", "CN_BANK_CARD")
CYCLE_LABELS = {
    "realtime": "实时",
    "daily": "每日",
    "weekly": "每周",
    "monthly": "每月",
    "quarterly": "每季度",
    "yearly": "每年",
    "on_change": "变更时",
}
DCAT_FREQ = {
    "realtime": "http://purl.org/cld/freq/continuous",
    "daily": "http://purl.org/cld/freq/daily",
    "weekly": "http://purl.org/cld/freq/weekly",
    "monthly": "http://purl.org/cld/freq/monthly",
    "quarterly": "http://purl.org/cld/freq/quarterly",
    "yearly": "http://purl.org/cld/freq/annual",
    "on_change": "http://purl.org/cld/freq/irregular",
}


class ReleaseError(RuntimeError):
    """A release cannot be built or changed; the message says why."""


class ReleaseRefused(ReleaseError):
    """The gate refused the release (anonymity or residual PII); nothing was published."""

    def __init__(self, message: str, report: dict | None = None):
        super().__init__(message)
        self.report = report or {}


class ReleaseNotServed(ReleaseError):
    """The release is suspended or withdrawn (GX-Open art. 22), or has no published version."""


# ---- definitions --------------------------------------------------------------------------------
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


Derive = Literal[
    "age_band", "birth_5y_band", "birth_year", "division_code", "division_name", "sex_label"
]


class ReleaseColumn(_Strict):
    name: str
    source: str | None = None  # column of the source table (default: name)
    label: str | None = None
    derive: Derive | None = None
    policy: Action | None = None  # explicit policy (needs a reason)
    mask: str | None = None
    reason: str | None = None

    @property
    def source_column(self) -> str:
        return self.source or self.name

    @model_validator(mode="after")
    def _explicit(self) -> ReleaseColumn:
        if not COLUMN.match(self.name):
            raise ValueError(f"name: '{self.name}' is not a valid column name")
        if self.policy is not None and not self.reason:
            raise ValueError(f"'{self.name}': an explicit policy needs a reason")
        if self.policy is Action.mask and not self.mask:
            raise ValueError(f"'{self.name}': policy mask needs 'mask'")
        return self


class QuasiIdentifierDef(_Strict):
    column: str
    kind: Literal["band", "year", "division", "address", "category"] = "category"
    max_level: int | None = Field(default=None, ge=0)


class AggregateDef(_Strict):
    dimensions: list[str] = Field(min_length=1)
    threshold: int = Field(default=5, ge=2)
    count_column: str = "count"


class Source(_Strict):
    zone: Literal["base", "theme"]
    table: str


class ReleaseDefinition(_Strict):
    id: str
    title: str = Field(min_length=1)
    title_en: str | None = None
    catalog_entry: str
    source: Source
    kind: Literal["records", "aggregate"]
    columns: list[ReleaseColumn] = Field(min_length=1)
    summary: str | None = None  # default: the catalog entry's summary
    open_type: OpenType | None = None  # default: the catalog entry's open type
    open_conditions: str | None = None
    update_cycle: UpdateCycle | None = None
    quasi_identifiers: list[QuasiIdentifierDef] | None = None  # None: from the catalog/PII
    k: int | None = Field(default=None, ge=2)  # None: the catalog entry's open.k (default 5)
    max_suppressed: float = Field(default=0.05, ge=0, le=0.5)
    aggregate: AggregateDef | None = None
    pseudonym_purpose: str | None = None  # key purpose (default release_<id>)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not ID.match(v):
            raise ValueError(f"'{v}' is not a valid release id (lower-case letters, digits, _)")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> ReleaseDefinition:
        names = [c.name for c in self.columns]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"columns: duplicate names: {', '.join(dup)}")
        if self.kind == "aggregate":
            if self.aggregate is None:
                raise ValueError("aggregate: an aggregate release needs its dimensions")
            unknown = [d for d in self.aggregate.dimensions if d not in names]
            if unknown:
                raise ValueError(f"aggregate.dimensions: not columns: {', '.join(unknown)}")
            if self.aggregate.count_column in names:
                raise ValueError("aggregate.count_column: clashes with a column name")
        elif self.aggregate is not None:
            raise ValueError("aggregate: only for kind 'aggregate'")
        if self.quasi_identifiers:
            unknown = [q.column for q in self.quasi_identifiers if q.column not in names]
            if unknown:
                raise ValueError(f"quasi_identifiers: not columns: {', '.join(unknown)}")
        if self.open_type is OpenType.conditional and not self.open_conditions:
            raise ValueError("open_conditions: a conditional open type needs its conditions")
        return self

    @property
    def purpose(self) -> str:
        return self.pseudonym_purpose or f"release_{self.id}"


def releases_dir(settings: Settings) -> Path:
    """Where release definitions live: ``<catalog_dir>/releases/``."""
    return Path(settings.catalog_dir) / RELEASES_FOLDER


def load_definitions(settings: Settings) -> dict[str, ReleaseDefinition]:
    """Every release definition; a problem names its file and field."""
    out: dict[str, ReleaseDefinition] = {}
    problems: list[str] = []
    folder = releases_dir(settings)
    for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            problems.append(f"{path}: not valid YAML: {exc}")
            continue
        try:
            d = ReleaseDefinition.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
                msg = err["msg"].removeprefix("Value error, ")
                problems.append(f"{path}: {loc}: {msg}")
            continue
        if d.id != path.stem:
            problems.append(f"{path}: id: '{d.id}' but the file is named '{path.name}'")
        out[d.id] = d
    if problems:
        raise ReleaseError("release definitions have problems:\n  - " + "\n  - ".join(problems))
    return out


def get_definition(settings: Settings, release_id: str) -> ReleaseDefinition:
    defs = load_definitions(settings)
    if release_id not in defs:
        known = ", ".join(sorted(defs)) or "none"
        raise ReleaseError(
            f"no release definition '{release_id}' in {releases_dir(settings)} (known: {known})"
        )
    return defs[release_id]


# ---- governance records (GX-Open art. 22) -------------------------------------------------------
class Status(StrEnum):
    published = "published"
    suspended = "suspended"
    withdrawn = "withdrawn"


def _engine(settings: Settings) -> sa.Engine:
    return db.engine(settings)


def _actor(actor: str | None) -> str:
    if actor:
        return actor
    with contextlib.suppress(Exception):
        return getpass.getuser()
    return "unknown"


def status(settings: Settings, release_id: str) -> Status | None:
    """The release's current status (None: never published)."""
    with _engine(settings).connect() as conn:
        row = conn.execute(
            sa.select(release_events.c.to_status)
            .where(release_events.c.release_id == release_id)
            .order_by(release_events.c.id.desc())
            .limit(1)
        ).first()
    return Status(row[0]) if row else None


def _rows_of(settings: Settings, table: sa.Table, release_id: str, order) -> list[dict]:
    with _engine(settings).connect() as conn:
        rows = conn.execute(
            sa.select(table).where(table.c.release_id == release_id).order_by(order)
        ).mappings()
        return [dict(r) for r in rows]


def versions(settings: Settings, release_id: str) -> list[dict]:
    return _rows_of(settings, release_versions, release_id, release_versions.c.version)


def events(settings: Settings, release_id: str) -> list[dict]:
    return _rows_of(settings, release_events, release_id, release_events.c.id)


_TRANSITIONS = {
    # action: (allowed from, to)
    "suspend": ({Status.published}, Status.suspended),
    "withdraw": ({Status.suspended, Status.published}, Status.withdrawn),
    "restore": ({Status.suspended}, Status.published),
}


def _transition(
    settings: Settings, release_id: str, action: str, reason: str, actor: str | None
) -> dict:
    if not reason or not reason.strip():
        raise ReleaseError(f"{action} {release_id}: a reason is required (GX-Open art. 22)")
    allowed, to = _TRANSITIONS[action]
    eng = _engine(settings)
    with eng.begin() as conn:
        row = conn.execute(
            sa.select(release_events.c.to_status)
            .where(release_events.c.release_id == release_id)
            .order_by(release_events.c.id.desc())
            .limit(1)
        ).first()
        current = Status(row[0]) if row else None
        if current is None:
            raise ReleaseError(f"release '{release_id}' has never been published")
        if current not in allowed:
            raise ReleaseError(
                f"cannot {action} release '{release_id}': it is {current.value} "
                f"(allowed from: {', '.join(sorted(s.value for s in allowed))})"
            )
        latest = conn.execute(
            sa.select(sa.func.max(release_versions.c.version)).where(
                release_versions.c.release_id == release_id
            )
        ).scalar()
        if action == "withdraw":
            # every version built so far stops being servable; a later build reopens
            conn.execute(
                release_versions.update()
                .where(release_versions.c.release_id == release_id)
                .values(withdrawn=True)
            )
        event = {
            "release_id": release_id,
            "version": latest,
            "action": action,
            "from_status": current.value,
            "to_status": to.value,
            "reason": reason.strip(),
            "actor": _actor(actor),
            "at": db.utcnow(),
        }
        conn.execute(release_events.insert().values(**event))
    return event


def suspend(settings: Settings, release_id: str, reason: str, actor: str | None = None) -> dict:
    """Stop serving a release at once on a complaint (GX-Open art. 22)."""
    return _transition(settings, release_id, "suspend", reason, actor)


def withdraw(settings: Settings, release_id: str, reason: str, actor: str | None = None) -> dict:
    """Withdraw a release after verification (GX-Open art. 22); a new build reopens it."""
    return _transition(settings, release_id, "withdraw", reason, actor)


def restore(settings: Settings, release_id: str, reason: str, actor: str | None = None) -> dict:
    """Serve a suspended release again when the complaint was unfounded (GX-Open art. 22)."""
    return _transition(settings, release_id, "restore", reason, actor)


def is_served(settings: Settings, release_id: str) -> bool:
    return status(settings, release_id) is Status.published


def serve_path(
    settings: Settings, release_id: str, version: int | None = None, file: str = "data.csv"
) -> Path:
    """The path of a file of a served release version; refuses suspended or withdrawn ones."""
    st = status(settings, release_id)
    if st is None:
        raise ReleaseNotServed(f"release '{release_id}' has no published version")
    if st is not Status.published:
        ev = events(settings, release_id)[-1]
        raise ReleaseNotServed(
            f"release '{release_id}' is {st.value} since {ev['at']:%Y-%m-%d %H:%M} UTC "
            f"({ev['reason']}); it is not served (GX-Open art. 22)"
        )
    vs = [v for v in versions(settings, release_id) if not v["withdrawn"]]
    if version is not None:
        vs = [v for v in vs if v["version"] == version]
    if not vs:
        raise ReleaseNotServed(
            f"release '{release_id}': version {version} is not served (withdrawn or unknown)"
        )
    if file not in ("data.csv", "data.parquet", "metadata.json", "report.json", "SHA256SUMS"):
        raise ReleaseNotServed(f"release '{release_id}': no file '{file}'")
    path = Path(vs[-1]["path"]) / file
    if not path.is_file():
        raise ReleaseNotServed(f"release '{release_id}': {path} is missing")
    return path


# ---- build --------------------------------------------------------------------------------------
@dataclass
class ReleaseResult:
    release_id: str
    version: int
    path: Path
    rows: int
    status: str
    unchanged: bool = False
    report: dict = field(default_factory=dict)

    def summary(self) -> str:
        note = " (unchanged, no new version)" if self.unchanged else ""
        return (
            f"{self.release_id} v{self.version}: {self.rows} rows, {self.status}, {self.path}{note}"
        )


def _derive(kind: str, values: pa.Array, as_of: dt.date) -> pa.Array:
    if kind == "age_band":
        return C.age_band(values, as_of)
    if kind == "birth_5y_band":
        return C.birth_5y_band(values)
    if kind == "birth_year":
        return C.birth_year(values)
    if kind == "division_code":
        return C.as_strings(values)
    if kind == "division_name":
        from jutong.reference import full_name, load_divisions

        divs = load_divisions()
        arr = C.as_strings(values)
        enc = pc.dictionary_encode(arr)
        names = [full_name(c) if c in divs else None for c in enc.dictionary.to_pylist()]
        return pa.array(names, pa.string()).take(enc.indices)
    if kind == "sex_label":
        s = pc.utf8_trim_whitespace(C.as_strings(values))
        lookup = pa.array(["1", "2", "男", "女", "0", "9"])
        labels = pa.array(["男", "女", "男", "女", "未知", "未说明"])
        idx = pc.index_in(s, value_set=lookup)
        return pc.if_else(pc.is_valid(idx), labels.take(pc.fill_null(idx, 0)), pa.scalar("未知"))
    raise ReleaseError(f"unknown derivation '{kind}'")


_DERIVE_QI_KIND = {
    "age_band": "band",
    "birth_5y_band": "band",
    "birth_year": "year",
    "division_code": "division",
    "division_name": "category",
    "sex_label": "category",
}
_ACTION_QI_KIND = {
    Action.birth_5y_band: "band",
    Action.age_band: "band",
    Action.birth_year: "year",
    Action.address_to_county: "address",
}


def _read_source(settings: Settings, d: ReleaseDefinition) -> pa.Table:
    from jutong.lake import Lake

    lake = Lake(settings)
    if not lake.table_exists(d.source.zone, d.source.table):
        raise ReleaseError(
            f"release '{d.id}': the source table {d.source.zone}.{d.source.table} does not "
            "exist yet (build the base databases first)"
        )
    table = lake.table(d.source.zone, d.source.table)
    wanted = sorted({c.source_column for c in d.columns})
    have = table.schema().column_names
    missing = [c for c in wanted if c not in have]
    if missing:
        raise ReleaseError(
            f"release '{d.id}': {d.source.zone}.{d.source.table} has no column(s) "
            f"{', '.join(missing)}"
        )
    return table.scan(selected_fields=tuple(wanted)).to_arrow()


def _column_policies(
    d: ReleaseDefinition, catalog: Catalog, entry: CatalogEntry
) -> list[ColumnPolicy]:
    base = d.source.table
    out: list[ColumnPolicy] = []
    for col in d.columns:
        found = item_for_column(catalog, base, col.source_column)
        if col.policy is not None:
            pii = found[1].pii.value if found else "none"
            pol = ColumnPolicy(
                column=col.name,
                action=col.policy,
                mask=col.mask,
                reason=col.reason or "",
                pii=pii,
                sensitivity=found[1].sensitivity if found else None,
                source="release definition",
                label=col.label or (found[1].label if found else None),
            )
            out.append(check_override(pol, Audience.open))
            continue
        if not found:
            raise PolicyError(
                f"release '{d.id}': column '{col.source_column}' of {d.source.zone}.{base} maps "
                "to no catalog item (golden_field); give it an explicit policy and reason"
            )
        e, item = found
        pol = policy_for_item(item, Audience.open, entry=e, column=col.name)
        if col.label:
            pol = replace(pol, label=col.label)
        out.append(pol)
    return out


def _quasi_identifiers(
    d: ReleaseDefinition, entry: CatalogEntry, policies: list[ColumnPolicy], kept: list[str]
) -> list[QuasiIdentifier]:
    if d.quasi_identifiers is not None:
        return [QuasiIdentifier(q.column, q.kind, q.max_level) for q in d.quasi_identifiers]
    declared = set(entry.open.quasi_identifiers)
    out = []
    for p in policies:
        if p.column not in kept:
            continue
        item_name = p.source.rsplit(".", 1)[-1]
        if p.quasi_identifier or item_name in declared:
            out.append(QuasiIdentifier(p.column, _ACTION_QI_KIND.get(p.action, "category")))
    return out


def _residual_scan(table: pa.Table) -> list[dict]:
    """Every string column through the analyzer: a vectorized prefilter picks the values
    with a long run of digits, the analyzer (Presidio) checks them for ``REFUSAL_ENTITIES``."""
    from masking.analyzer import analyze

    findings: list[dict] = []
    for name in table.column_names:
        arr = C.as_array(table.column(name))
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            continue
        norm = pc.utf8_normalize(arr.cast(pa.string()), "NFKC")
        cand = pc.fill_null(
            pc.match_substring_regex(norm, r"[0-9][0-9\s\-]{9,}[0-9Xx]"), False
        ).to_numpy(zero_copy_only=False)
        rows = cand.nonzero()[0]
        if not len(rows):
            continue
        texts = arr.take(pa.array(rows)).to_pylist()
        seen: dict[str, list] = {}
        for row, text in zip(rows.tolist(), texts, strict=True):
            if text not in seen:
                seen[text] = analyze(text, entities=list(REFUSAL_ENTITIES))
            for r in seen[text]:
                found = text[r.start : r.end]
                findings.append(
                    {
                        "column": name,
                        "row": row + 1,
                        "entity": r.entity_type,
                        "value": C.keep_ends(pa.array([found]), 1, 1)[0].as_py(),
                    }
                )
    return findings


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write_csv(table: pa.Table, path: Path) -> None:
    import pyarrow.csv as pacsv

    out = table
    for i, f in enumerate(table.schema):
        if pa.types.is_decimal(f.type):  # plain digits, no exponent
            out = out.set_column(i, f.name, pc.cast(table.column(i), pa.string()))
    pacsv.write_csv(out, path, pacsv.WriteOptions(include_header=True))


def _metadata(
    d: ReleaseDefinition,
    entry: CatalogEntry,
    catalog: Catalog,
    table: pa.Table,
    labels: dict[str, str],
    policies: dict[str, ColumnPolicy],
    version: int,
    issued: dt.datetime,
    files: dict[str, tuple[str, int]],
) -> dict:
    """DCAT-style dataset description carrying GX-Open art. 16's fields."""
    open_type = d.open_type or entry.open.type
    conditions = d.open_conditions or entry.open.conditions
    cycle = (d.update_cycle or entry.update_cycle).value
    provider = catalog.department_name(entry.department)
    items = []
    for f in table.schema:
        pol = policies.get(f.name)
        items.append(
            {
                "name": f.name,
                "label": labels.get(f.name, f.name),
                "type": str(f.type),
                "desensitization": (
                    pol.action.value + (f":{pol.mask}" if pol.mask else "") if pol else "aggregate"
                ),
            }
        )
    formats = {"data.csv": "text/csv", "data.parquet": "application/vnd.apache.parquet"}
    distributions = [
        {
            "@type": "dcat:Distribution",
            "dct:title": name,
            "dcat:downloadURL": name,
            "dcat:mediaType": formats[name],
            "dct:format": "CSV" if name.endswith(".csv") else "Parquet",
            "dcat:byteSize": size,
            "spdx:checksum": {"spdx:algorithm": "sha256", "spdx:checksumValue": digest},
            **({"cnt:characterEncoding": "UTF-8"} if name.endswith(".csv") else {}),
        }
        for name, (digest, size) in files.items()
    ]
    summary = d.summary or entry.summary
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "spdx": "http://spdx.org/rdf/terms#",
            "cnt": "http://www.w3.org/2011/content#",
            "jutong": "https://jutong.example.org/ns#",
        },
        "@type": "dcat:Dataset",
        "dct:identifier": d.id,
        "dct:title": d.title,
        "dct:alternative": d.title_en,
        "dct:description": summary,
        "dcat:theme": entry.domain,
        "dct:publisher": provider,
        "dct:accrualPeriodicity": DCAT_FREQ[cycle],
        "dct:issued": issued.isoformat(timespec="seconds") + "Z",
        "dcat:version": f"v{version}",
        "dct:source": f"{d.source.zone}.{d.source.table}",
        "jutong:catalogEntry": entry.id,
        "jutong:rows": table.num_rows,
        "dcat:distribution": distributions,
        # 开放目录应当包括：数据领域、数据摘要、数据项、数据格式、开放类型、开放条件、更新频率、
        # 数据提供单位 (GX-Open art. 16)
        "gx_open_art16": {
            "domain": entry.domain,
            "summary": summary,
            "data_items": items,
            "format": ["CSV (UTF-8)", "Parquet"],
            "open_type": open_type.value,
            "open_type_label": open_type.label,
            "open_conditions": conditions,
            "update_frequency": cycle,
            "update_frequency_label": CYCLE_LABELS[cycle],
            "provider": provider,
            "provider_id": entry.department,
        },
    }


def _release_root(settings: Settings, release_id: str) -> Path:
    return Path(settings.lake_root) / RELEASES_FOLDER / release_id


def _next_version(root: Path, settings: Settings, release_id: str) -> int:
    on_disk = [int(p.name[1:]) for p in root.glob("v*") if re.fullmatch(r"v[0-9]+", p.name)]
    in_db = [v["version"] for v in versions(settings, release_id)]
    return max([0, *on_disk, *in_db]) + 1


def build_release(
    settings: Settings,
    release_id: str,
    *,
    as_of: dt.date | None = None,
    actor: str | None = None,
    catalog: Catalog | None = None,
    definition: ReleaseDefinition | None = None,
) -> ReleaseResult:
    """Build, gate and publish a new version of a release (see the module docstring)."""
    d = definition or get_definition(settings, release_id)
    catalog = catalog or load_catalog(settings.catalog_dir)
    try:
        entry = catalog.get(d.catalog_entry)
    except KeyError as exc:
        raise ReleaseError(f"release '{d.id}': catalog_entry: {exc.args[0]}") from None
    as_of = as_of or dt.date.today()
    current = status(settings, d.id)
    if current is Status.suspended:
        ev = events(settings, d.id)[-1]
        raise ReleaseError(
            f"release '{d.id}' is suspended ({ev['reason']}); restore or withdraw it before a "
            "new build (GX-Open art. 22)"
        )
    # GX-Reg art. 25; GX-Open art. 16: a dataset classified 不予开放 is not opened as records
    open_type = d.open_type or entry.open.type
    if open_type is OpenType.none:
        raise ReleaseError(
            f"release '{d.id}': {entry.id} is classified 不予开放 (open type none); only an "
            "aggregate release with its own open_type may be built from it"
        )
    if d.kind == "records" and entry.open.type is OpenType.none:
        raise ReleaseError(
            f"release '{d.id}': {entry.id} is 不予开放; person-level records cannot be opened"
        )

    source = _read_source(settings, d)
    report: dict = {
        "release_id": d.id,
        "as_of": as_of.isoformat(),
        "source": f"{d.source.zone}.{d.source.table}",
        "source_rows": source.num_rows,
    }
    labels: dict[str, str] = {}
    pol_by_col: dict[str, ColumnPolicy] = {}
    if d.kind == "records":
        policies = _column_policies(d, catalog, entry)
        pol_by_col = {p.column: p for p in policies}
        renamed = pa.table({c.name: source.column(c.source_column) for c in d.columns})
        key = None
        if any(p.action is Action.pseudonym for p in policies):
            from masking.keys import load_key

            key = load_key(settings, d.purpose)
        masked = apply_policies(renamed, policies, key=key, as_of=as_of)
        report["masking"] = {
            "audience": "open",
            "columns": masked.report(),
            "dropped": masked.dropped,
            "pseudonym_key": (
                {"purpose": d.purpose, "fingerprint": masked.key_fingerprint} if key else None
            ),
        }
        qis = _quasi_identifiers(d, entry, policies, masked.table.column_names)
        k = d.k or entry.open.k
        try:
            out, krep = k_anonymize(masked.table, qis, k, max_suppressed=d.max_suppressed)
        except AnonymityError as exc:
            raise ReleaseRefused(
                f"release '{d.id}' refused by the anonymity gate: {exc}",
                {**report, "anonymity": exc.report},
            ) from None
        report["anonymity"] = {"method": "k-anonymity", **krep.to_dict()}
        for c in d.columns:
            labels[c.name] = pol_by_col[c.name].label or c.name
    else:
        assert d.aggregate is not None
        derived = {}
        for c in d.columns:
            values = C.as_array(source.column(c.source_column))
            derived[c.name] = _derive(c.derive, values, as_of) if c.derive else values
            labels[c.name] = c.label or c.name
        dims = d.aggregate.dimensions
        cnt = d.aggregate.count_column
        derived_t = pa.table(derived)
        counts = derived_t.group_by(dims).aggregate([([], "count_all")])
        counts = counts.rename_columns([*dims, cnt])
        # the full cube of the dimensions' values: empty combinations count 0
        cube = None
        for dim in dims:
            values = pa.table({dim: pc.unique(derived_t.column(dim))})
            cube = (
                values
                if cube is None
                else cube.join(values, [], join_type="full outer")
                if False
                else _cross(cube, values)
            )
        cube = cube.join(counts, dims, join_type="left outer")
        cube = cube.set_column(cube.column_names.index(cnt), cnt, pc.fill_null(cube.column(cnt), 0))
        # attribute columns that follow one dimension (a county's name follows its code)
        for c in d.columns:
            if c.name in dims:
                continue
            partner = next(
                (x for x in d.columns if x.name in dims and x.source_column == c.source_column),
                None,
            )
            if partner is None:
                raise ReleaseError(
                    f"release '{d.id}': column '{c.name}' is neither a dimension nor derived "
                    "from the same source column as one"
                )
            pairs = (
                derived_t.select([partner.name, c.name])
                .group_by([partner.name])
                .aggregate([(c.name, "min")])
                .rename_columns([partner.name, c.name])
            )
            cube = cube.join(pairs, [partner.name], join_type="left outer")
        order = [c.name for c in d.columns] + [cnt]
        cube = cube.select(order).sort_by([(x, "ascending") for x in dims])
        out, crep = suppress_cells(cube, dims, cnt, d.aggregate.threshold)
        check_cells(out, dims, cnt, d.aggregate.threshold)
        labels[cnt] = "人数"
        labels["suppressed"] = "已隐匿（小于阈值或可推算）"
        report["masking"] = {
            "audience": "open",
            "columns": [
                {"column": c.name, "source": c.source_column, "derive": c.derive} for c in d.columns
            ],
            "note": "aggregate release: no person-level value is published",
        }
        report["anonymity"] = {"method": "cell suppression", **crep.to_dict()}

    findings = _residual_scan(out)
    report["residual_scan"] = {
        "entities": list(REFUSAL_ENTITIES),
        "columns_scanned": [
            f.name
            for f in out.schema
            if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
        ],
        "findings": findings[:50],
        "passed": not findings,
    }
    if findings:
        first = findings[0]
        raise ReleaseRefused(
            f"release '{d.id}' refused by the residual PII scan: {len(findings)} finding(s), "
            f"first: column '{first['column']}', row {first['row']}, {first['entity']} "
            f"({first['value']})",
            report,
        )

    root = _release_root(settings, d.id)
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".build-{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        csv_path = tmp / "data.csv"
        _write_csv(out, csv_path)
        import pyarrow.parquet as pq

        pq.write_table(out, tmp / "data.parquet")
        data_sha = _sha256(csv_path)
        previous = [v for v in versions(settings, d.id) if not v["withdrawn"]]
        if previous and previous[-1]["data_sha256"] == data_sha and current is Status.published:
            shutil.rmtree(tmp)
            last = previous[-1]
            return ReleaseResult(
                d.id,
                last["version"],
                Path(last["path"]),
                last["rows"],
                current.value,
                True,
                report,
            )
        version = _next_version(root, settings, d.id)
        issued = db.utcnow()
        files = {
            name: (_sha256(tmp / name), (tmp / name).stat().st_size)
            for name in ("data.csv", "data.parquet")
        }
        meta = _metadata(d, entry, catalog, out, labels, pol_by_col, version, issued, files)
        report["version"] = version
        report["built_at"] = issued.isoformat(timespec="seconds") + "Z"
        report["rows"] = out.num_rows
        (tmp / "metadata.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
        )
        (tmp / "report.json").write_text(
            json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n",
            encoding="utf-8",
        )
        names = ["data.csv", "data.parquet", "metadata.json", "report.json"]
        (tmp / "SHA256SUMS").write_text(
            "".join(f"{_sha256(tmp / n)}  {n}\n" for n in names), encoding="utf-8"
        )
        final = root / f"v{version}"
        os.rename(tmp, final)  # atomic on one filesystem: the version appears complete
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    who = _actor(actor)
    with _engine(settings).begin() as conn:
        conn.execute(
            release_versions.insert().values(
                release_id=d.id,
                version=version,
                path=str(final),
                rows=out.num_rows,
                data_sha256=data_sha,
                built_at=issued,
                built_by=who,
                withdrawn=False,
            )
        )
        conn.execute(
            release_events.insert().values(
                release_id=d.id,
                version=version,
                action="reopen" if current is Status.withdrawn else "publish",
                from_status=current.value if current else None,
                to_status=Status.published.value,
                reason=f"build v{version} as of {as_of.isoformat()}",
                actor=who,
                at=issued,
            )
        )
    return ReleaseResult(d.id, version, final, out.num_rows, Status.published.value, False, report)


def _cross(left: pa.Table, right: pa.Table) -> pa.Table:
    """Cartesian product of two small tables."""
    n, m = left.num_rows, right.num_rows
    li = pa.array([i for i in range(n) for _ in range(m)], pa.int64())
    ri = pa.array([j for _ in range(n) for j in range(m)], pa.int64())
    lt, rt = left.take(li), right.take(ri)
    cols = {name: lt.column(name) for name in lt.column_names}
    cols.update({name: rt.column(name) for name in rt.column_names})
    return pa.table(cols)


# ---- listing and the demo -----------------------------------------------------------------------
def list_releases(settings: Settings) -> list[dict]:
    """One row per defined or published release: id, status, latest version, rows, path."""
    try:
        defs = load_definitions(settings)
    except ReleaseError:
        defs = {}
    with _engine(settings).connect() as conn:
        ids = {r[0] for r in conn.execute(sa.select(release_versions.c.release_id).distinct())}
    out = []
    for rid in sorted(set(defs) | ids):
        vs = versions(settings, rid)
        st = status(settings, rid)
        last = vs[-1] if vs else None
        out.append(
            {
                "release_id": rid,
                "title": defs[rid].title if rid in defs else "",
                "status": st.value if st else "not built",
                "version": last["version"] if last else None,
                "rows": last["rows"] if last else None,
                "path": last["path"] if last else None,
                "built_at": last["built_at"] if last else None,
            }
        )
    return out


def demo_releases(settings: Settings, as_of: dt.date | None = None) -> list[ReleaseResult]:
    """Build the demo's open releases (creating a local demo key per purpose if absent)."""
    from masking.keys import ensure_demo_key

    results = []
    for rid in ("qiye_registrations", "population_by_county_sex_age"):
        d = get_definition(settings, rid)
        ensure_demo_key(settings, d.purpose)
        results.append(build_release(settings, rid, as_of=as_of, actor="demo"))
    return results


def demo_summary(settings: Settings) -> list[str]:
    """Lines for the demo's summary: release id, version, rows, status, path."""
    lines = []
    for r in list_releases(settings):
        if r["version"] is None:
            lines.append(f"{r['release_id']}: not built")
            continue
        lines.append(
            f"{r['release_id']} v{r['version']}: {r['rows']} rows, {r['status']}, {r['path']}"
        )
    return lines


def release_info(settings: Settings, release_id: str) -> dict:
    """Definition, versions and events of one release (for ``jutong release show``)."""
    defs = load_definitions(settings)
    d = defs.get(release_id)
    vs = versions(settings, release_id)
    if d is None and not vs:
        raise ReleaseError(f"no release '{release_id}' (known: {', '.join(sorted(defs))})")
    st = status(settings, release_id)
    return {
        "release_id": release_id,
        "definition": d.model_dump(mode="json") if d else None,
        "status": st.value if st else "not built",
        "versions": vs,
        "events": events(settings, release_id),
    }


__all__ = [
    "ReleaseDefinition",
    "ReleaseError",
    "ReleaseNotServed",
    "ReleaseRefused",
    "ReleaseResult",
    "Status",
    "build_release",
    "demo_releases",
    "demo_summary",
    "events",
    "get_definition",
    "is_served",
    "list_releases",
    "load_definitions",
    "release_info",
    "restore",
    "serve_path",
    "status",
    "suspend",
    "versions",
    "withdraw",
]
