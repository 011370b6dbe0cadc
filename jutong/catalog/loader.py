"""Load and validate the catalog folder; every problem names its file and field."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from jutong.catalog.matching import DEFAULT as DEFAULT_MATCHING
from jutong.catalog.matching import MatchSettings, load_matching
from jutong.catalog.model import ENTITY_BASES, CatalogEntry
from jutong.catalog.shared import SHARED_FOLDER, SharedResource

# Folders of the catalog that hold other definitions, not entries (open releases:
# jutong.catalog.releases; the bureau's shared base and theme resources:
# jutong.catalog.shared).
NOT_ENTRY_FOLDERS = frozenset({"releases", SHARED_FOLDER})


class CatalogError(ValueError):
    """The catalog has problems; ``problems`` lists them, one 'file: field: message' each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            f"the resource catalog has {len(problems)} problem(s):\n"
            + "\n".join(f"  - {p}" for p in problems)
        )


class Department(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    name_en: str | None = None


@dataclass(frozen=True)
class Catalog:
    root: Path
    departments: dict[str, Department]
    entries: dict[str, CatalogEntry]
    files: dict[str, Path] = field(default_factory=dict)  # entry id -> YAML file
    jurisdiction: dict = field(default_factory=dict)
    # entity resolution settings per entity base (catalog/matching.yaml)
    matching: dict[str, MatchSettings] = field(default_factory=dict)
    # the bureau's base and theme resources on the share list (catalog/shared/)
    shared: dict[str, SharedResource] = field(default_factory=dict)

    def __iter__(self):
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str) -> CatalogEntry:
        try:
            return self.entries[entry_id]
        except KeyError:
            known = ", ".join(sorted(self.entries))
            raise KeyError(f"no catalog entry '{entry_id}' (known: {known})") from None

    def shareable(self, resource_id: str) -> CatalogEntry | SharedResource:
        """What a share request may name: a department's catalog entry or one of the bureau's
        base and theme resources (``catalog/shared/``)."""
        if resource_id in self.entries:
            return self.entries[resource_id]
        if resource_id in self.shared:
            return self.shared[resource_id]
        known = ", ".join([*sorted(self.entries), *sorted(self.shared)])
        raise KeyError(f"no catalog entry or shared resource '{resource_id}' (known: {known})")

    def share_list(self) -> list[CatalogEntry | SharedResource]:
        """The share list (共享目录): every department entry, then the bureau's resources."""
        return [*sorted(self, key=lambda e: e.id), *(self.shared[k] for k in sorted(self.shared))]

    def match_settings(self, base: str) -> MatchSettings:
        """The entity-resolution settings of an entity base (defaults when not set)."""
        return self.matching.get(base, DEFAULT_MATCHING)

    def department_name(self, dept: str) -> str:
        return self.departments[dept].name

    def authoritative_source(self, base: str, golden_field: str) -> CatalogEntry | None:
        """The one entry authoritative for a golden field of a base database (一数一源)."""
        for e in self:
            if e.base.feeds == base and golden_field in e.base.authoritative_for:
                return e
        return None


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _format_validation(path: Path, exc: ValidationError, data: dict) -> list[str]:
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"])
        where = _loc(loc)
        # name the item by its name, not only its index
        if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int):
            with contextlib.suppress(KeyError, IndexError, TypeError):
                where += f" (item '{data['items'][loc[1]]['name']}')"
        msg = err["msg"].removeprefix("Value error, ")
        # model-level checks name their field as "field.path: message"
        m = re.match(r"^([A-Za-z_][\w.\[\]]*): (.*)$", msg, re.S)
        if m and err["type"] == "value_error":
            where = f"{where}.{m.group(1)}" if loc else m.group(1)
            msg = m.group(2)
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        problems.append(f"{path}: {where}: {msg}")
    return problems


def _read_yaml(path: Path, problems: list[str]) -> object | None:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        problems.append(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problems.append(f"{path}: {where}not valid YAML: {getattr(exc, 'problem', exc)}")
    return None


def load_catalog(root: Path | str) -> Catalog:
    """Load every ``<department>/<dataset>.yaml`` under ``root``; raise CatalogError on problems."""
    root = Path(root)
    problems: list[str] = []
    if not root.is_dir():
        raise CatalogError([f"{root}: catalog folder does not exist"])

    departments: dict[str, Department] = {}
    dep_file = root / "departments.yaml"
    data = _read_yaml(dep_file, problems) if dep_file.is_file() else None
    if not dep_file.is_file():
        problems.append(f"{dep_file}: missing (the list of provider departments)")
    elif not isinstance(data, dict) or not isinstance(data.get("departments"), dict):
        if data is not None:
            problems.append(f"{dep_file}: departments: expected a mapping of id -> name")
    else:
        for dep_id, body in data["departments"].items():
            try:
                departments[str(dep_id)] = Department.model_validate(body)
            except ValidationError as exc:
                problems += _format_validation(dep_file, exc, {})

    jurisdiction: dict = {}
    jur_file = root / "jurisdiction.yaml"
    if jur_file.is_file():
        jd = _read_yaml(jur_file, problems)
        if isinstance(jd, dict):
            jurisdiction = jd

    matching = load_matching(root, problems)

    entries: dict[str, CatalogEntry] = {}
    files: dict[str, Path] = {}
    for path in sorted(root.glob("*/*.y*ml")):
        if path.suffix not in (".yaml", ".yml") or path.parent.name in NOT_ENTRY_FOLDERS:
            continue
        data = _read_yaml(path, problems)
        if data is None:
            if not any(p.startswith(f"{path}:") for p in problems):
                problems.append(f"{path}: empty file")
            continue
        if not isinstance(data, dict):
            problems.append(f"{path}: expected a mapping at the top level")
            continue
        try:
            entry = CatalogEntry.model_validate(data)
        except ValidationError as exc:
            problems += _format_validation(path, exc, data)
            continue
        dept_folder = path.parent.name
        if entry.department != dept_folder:
            problems.append(
                f"{path}: department: '{entry.department}' but the file is in folder "
                f"'{dept_folder}/'"
            )
        if entry.dataset != path.stem:
            problems.append(f"{path}: id: '{entry.id}' but the file is named '{path.name}'")
        if departments and entry.department not in departments:
            problems.append(f"{path}: department: '{entry.department}' is not in {dep_file.name}")
        if entry.id in entries:
            problems.append(f"{path}: id: '{entry.id}' is also defined in {files[entry.id]}")
            continue
        entries[entry.id] = entry
        files[entry.id] = path

    # 一数一源 (GX-Reg art. 16; LZ-Rules art. 15): one authoritative source per golden field of
    # the entities that several departments describe (persons, organisations). Licences and
    # spatial features are owned record by record by the dataset that issues them.
    owner: dict[tuple[str, str], str] = {}
    for eid, entry in entries.items():
        if entry.base.feeds not in ENTITY_BASES:
            continue
        for f in entry.base.authoritative_for:
            key = (entry.base.feeds.value, f)
            if key in owner:
                problems.append(
                    f"{files[eid]}: base.authoritative_for: '{f}' of {key[0]} already has "
                    f"its authoritative source in {files[owner[key]]} (一数一源, GX-Reg art. 16)"
                )
            else:
                owner[key] = eid

    shared = _load_shared(root, departments, entries, files, problems)

    if not entries and not problems:
        problems.append(f"{root}: no catalog entries (expected <department>/<dataset>.yaml)")
    if problems:
        raise CatalogError(problems)
    return Catalog(root, departments, entries, files, jurisdiction, matching, shared)


def _load_shared(
    root: Path,
    departments: dict[str, Department],
    entries: dict[str, CatalogEntry],
    files: dict[str, Path],
    problems: list[str],
) -> dict[str, SharedResource]:
    """``<root>/shared/<zone>.<table>.yaml``: the bureau's base and theme resources."""
    out: dict[str, SharedResource] = {}
    for path in sorted((root / SHARED_FOLDER).glob("*.y*ml")):
        if path.suffix not in (".yaml", ".yml"):
            continue
        data = _read_yaml(path, problems)
        if not isinstance(data, dict):
            if data is not None or not any(p.startswith(f"{path}:") for p in problems):
                problems.append(f"{path}: expected a mapping at the top level")
            continue
        try:
            res = SharedResource.model_validate(data)
        except ValidationError as exc:
            problems += _format_validation(path, exc, data)
            continue
        if res.id != path.stem:
            problems.append(f"{path}: id: '{res.id}' but the file is named '{path.name}'")
        if departments and res.department not in departments:
            problems.append(f"{path}: department: '{res.department}' is not in departments.yaml")
        if res.id in entries:
            problems.append(f"{path}: id: '{res.id}' is also a catalog entry ({files[res.id]})")
            continue
        out[res.id] = res
        files[res.id] = path
    return out
