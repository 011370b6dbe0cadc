"""Open-data release definitions: ``<catalog_dir>/releases/<id>.yaml``.

A definition names the base or theme table a release reads, its catalog entry (the source of
the GX-Open art. 16 metadata), the columns and, for statistics, the dimensions of the counts.
``jutong catalog validate`` checks every definition with the catalog; ``masking.release``
builds them, ``jutong.governance.releases`` records what happens to them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from jutong.catalog.model import Action, OpenType, UpdateCycle, check_explicit_policy
from jutong.settings import Settings

RELEASES_FOLDER = "releases"
ID = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
COLUMN = re.compile(r"^[a-z_][a-z0-9_]*$")


class ReleaseError(RuntimeError):
    """A release cannot be defined, built or changed; the message says why."""


class ReleaseDefinitionError(ReleaseError):
    """Release definitions with problems; ``problems`` lists them, 'file: field: message' each,
    ``valid`` holds the definitions that loaded."""

    def __init__(self, problems: list[str], valid: dict[str, ReleaseDefinition] | None = None):
        self.problems = problems
        self.valid = valid or {}
        super().__init__("release definitions have problems:\n  - " + "\n  - ".join(problems))


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
        check_explicit_policy(self.name, self.policy, self.mask, self.reason)
        return self


class QuasiIdentifierDef(_Strict):
    column: str
    kind: Literal["band", "year", "division", "address", "category"] = "category"
    max_level: int | None = Field(default=None, ge=0)


class AggregateDef(_Strict):
    dimensions: list[str] = Field(min_length=1)
    threshold: int = Field(default=5, ge=2)
    count_column: str = "count"
    # a source already aggregated (a theme mart's count column): cells sum this source column
    # instead of counting rows; small-cell suppression applies to the sums all the same
    weight: str | None = None


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


def releases_dir(where: Settings | Path | str) -> Path:
    """Where release definitions live: ``<catalog_dir>/releases/`` (settings or catalog folder)."""
    root = where.catalog_dir if isinstance(where, Settings) else where
    return Path(root) / RELEASES_FOLDER


def load_definitions(where: Settings | Path | str) -> dict[str, ReleaseDefinition]:
    """Every release definition; a problem names its file and field."""
    out: dict[str, ReleaseDefinition] = {}
    problems: list[str] = []
    folder = releases_dir(where)
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
        raise ReleaseDefinitionError(problems, out)
    return out


def get_definition(where: Settings | Path | str, release_id: str) -> ReleaseDefinition:
    defs = load_definitions(where)
    if release_id not in defs:
        known = ", ".join(sorted(defs)) or "none"
        raise ReleaseError(
            f"no release definition '{release_id}' in {releases_dir(where)} (known: {known})"
        )
    return defs[release_id]


def check_entries(defs: dict[str, ReleaseDefinition], entries: set[str], folder: Path) -> list[str]:
    """Problems of definitions whose ``catalog_entry`` is not in the catalog."""
    return [
        f"{next(folder.glob(rid + '.y*ml'), folder / (rid + '.yaml'))}: catalog_entry: "
        f"no catalog entry '{d.catalog_entry}'"
        for rid, d in sorted(defs.items())
        if d.catalog_entry not in entries
    ]


__all__ = [
    "AggregateDef",
    "QuasiIdentifierDef",
    "ReleaseColumn",
    "ReleaseDefinition",
    "ReleaseDefinitionError",
    "ReleaseError",
    "Source",
    "check_entries",
    "get_definition",
    "load_definitions",
    "releases_dir",
]
