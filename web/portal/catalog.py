"""The open catalog (开放目录) as the portal shows it: one dataset per open release, plus every
catalog entry open to the public (无条件开放, 有条件开放) that has no release yet, each with the
fields of GX-Open art. 16 — domain, summary, data items, format, open type, open conditions,
update frequency, provider (数据领域、数据摘要、数据项、数据格式、开放类型、开放条件、更新频率、
数据提供单位).

Entries classified 不予开放 are not in the open catalog; an aggregate release built from one
with its own open type is (``catalog/releases/*.yaml``). Everything is read from the catalog,
the release definitions and the governance database (``jutong.governance.releases``); the
release files themselves are read in ``web.portal.releases``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from jutong.catalog import Catalog, CatalogEntry, load_catalog
from jutong.catalog.model import OpenType, UpdateCycle
from jutong.catalog.releases import ReleaseDefinition, ReleaseDefinitionError, load_definitions
from jutong.settings import Settings
from web.portal.releases import ReleaseView, release_view

log = logging.getLogger(__name__)

CYCLE_LABELS = {
    UpdateCycle.realtime: ("实时", "real time"),
    UpdateCycle.daily: ("每日", "daily"),
    UpdateCycle.weekly: ("每周", "weekly"),
    UpdateCycle.monthly: ("每月", "monthly"),
    UpdateCycle.quarterly: ("每季度", "quarterly"),
    UpdateCycle.yearly: ("每年", "yearly"),
    UpdateCycle.on_change: ("变更时", "on change"),
}
OPEN_TYPE_EN = {
    OpenType.unconditional: "open to all",
    OpenType.conditional: "open on approved request",
    OpenType.none: "not open",
}
OPEN_TYPES = (OpenType.unconditional, OpenType.conditional)
RELEASE_FORMATS = ("CSV (UTF-8)", "Parquet")


@dataclass(frozen=True)
class Item:
    """A data item (数据项) of an open dataset."""

    name: str
    label: str
    type: str
    desensitization: str | None = None  # what the release did to it (None: not released yet)


@dataclass(frozen=True)
class OpenDataset:
    """One line of the open catalog, with GX-Open art. 16's fields."""

    id: str  # the release id, or the catalog entry id for an entry with no release
    kind: str  # "release" | "entry"
    title: str
    title_en: str | None
    entry_id: str
    department: str
    provider: str  # 数据提供单位
    provider_en: str | None
    domain: str  # 数据领域 (the theme)
    summary: str  # 数据摘要
    items: tuple[Item, ...]  # 数据项
    formats: tuple[str, ...]  # 数据格式 (empty: no file is published yet)
    open_type: OpenType  # 开放类型
    open_conditions: str | None  # 开放条件
    update_cycle: UpdateCycle  # 更新频率
    release: ReleaseView | None = None
    keywords: tuple[str, ...] = field(default=())

    @property
    def open_type_label(self) -> str:
        return self.open_type.label

    @property
    def open_type_en(self) -> str:
        return OPEN_TYPE_EN[self.open_type]

    @property
    def update_cycle_label(self) -> str:
        return CYCLE_LABELS[self.update_cycle][0]

    @property
    def update_cycle_en(self) -> str:
        return CYCLE_LABELS[self.update_cycle][1]

    @property
    def downloadable(self) -> bool:
        return self.release is not None and self.release.served

    def matches(self, q: str) -> bool:
        """Case-insensitive search over titles, summary, provider, domain, items, conditions."""
        q = q.strip().lower()
        if not q:
            return True
        hay = [
            self.id,
            self.title,
            self.title_en or "",
            self.summary,
            self.provider,
            self.provider_en or "",
            self.domain,
            self.open_conditions or "",
            *(i.label for i in self.items),
            *(i.name for i in self.items),
        ]
        return any(q in h.lower() for h in hay)


@dataclass(frozen=True)
class Facet:
    value: str
    label: str
    label_en: str | None
    count: int


@dataclass(frozen=True)
class PortalInfo:
    """Who publishes the open catalog: the jurisdiction's big-data bureau."""

    title: str
    title_en: str
    description: str
    description_en: str
    publisher_id: str
    publisher: str
    publisher_en: str | None

    @property
    def site_name(self) -> str:
        return self.title


# The catalog's publisher: the big-data bureau (大数据发展局) when departments.yaml lists it.
BUREAU = "dashuju"


def portal_info(settings: Settings) -> PortalInfo:
    catalog, _ = catalog_and_definitions(settings)
    region = (catalog.jurisdiction.get("jurisdiction") or {}).get("name") or ""
    bureau = catalog.departments.get(BUREAU)
    return PortalInfo(
        title=f"{region}公共数据开放目录",
        title_en="Open data catalog",
        description=(
            f"{region}政务数据开放目录：无条件开放与有条件开放的数据集，"
            "含数据领域、摘要、数据项、格式、开放类型、开放条件、更新频率和数据提供单位"
            "（GX-Open art. 16）。"
        ),
        description_en=(
            "Open government data: datasets open to all or on approved request, with domain, "
            "summary, data items, format, open type, conditions, update frequency and provider."
        ),
        publisher_id=BUREAU if bureau else "jurisdiction",
        publisher=bureau.name if bureau else region,
        publisher_en=bureau.name_en if bureau else None,
    )


def _definitions(settings: Settings) -> dict[str, ReleaseDefinition]:
    try:
        return load_definitions(settings)
    except ReleaseDefinitionError as exc:  # show the valid ones; the broken ones are logged
        log.error("release definitions with problems are left out of the portal: %s", exc)
        return exc.valid


# The catalog and release definitions, parsed once per state of the catalog folder: every
# YAML file's path, size and modification time. A changed catalog shows on the next request.
_LOADED: dict[Path, tuple[tuple, Catalog, dict[str, ReleaseDefinition]]] = {}


def _stamp(root: Path) -> tuple:
    files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    return tuple((str(p), st.st_size, st.st_mtime_ns) for p in files for st in (p.stat(),))


def catalog_and_definitions(settings: Settings) -> tuple[Catalog, dict[str, ReleaseDefinition]]:
    """The catalog (``load_catalog``) and the release definitions, reparsed only when a file
    of the catalog folder changed."""
    root = Path(settings.catalog_dir)
    stamp = _stamp(root)
    hit = _LOADED.get(root)
    if hit is not None and hit[0] == stamp:
        return hit[1], hit[2]
    catalog, defs = load_catalog(root), _definitions(settings)
    _LOADED[root] = (stamp, catalog, defs)
    return catalog, defs


def open_release(settings: Settings, release_id: str) -> ReleaseDefinition | None:
    """The definition of an open release (its open type, else its entry's, is not 不予开放)."""
    catalog, defs = catalog_and_definitions(settings)
    d = defs.get(release_id)
    entry = catalog.entries.get(d.catalog_entry) if d else None
    if d is None or entry is None or (d.open_type or entry.open.type) not in OPEN_TYPES:
        return None
    return d


def _entry_items(entry: CatalogEntry) -> tuple[Item, ...]:
    return tuple(Item(i.name, i.label, i.type.value) for i in entry.items)


def _release_items(d: ReleaseDefinition, entry: CatalogEntry, rv: ReleaseView) -> tuple[Item, ...]:
    """The items as the served (else latest) version's metadata lists them, with their
    desensitization; before any build, the definition's columns with the catalog's labels."""
    meta = rv.metadata
    if meta and meta.get("gx_open_art16", {}).get("data_items"):
        return tuple(
            Item(
                i["name"], i.get("label") or i["name"], i.get("type", ""), i.get("desensitization")
            )
            for i in meta["gx_open_art16"]["data_items"]
        )
    labels = {i.golden_field or i.name: i.label for i in entry.items}
    labels.update({i.name: i.label for i in entry.items})
    return tuple(
        Item(c.name, c.label or labels.get(c.source_column, c.name), "") for c in d.columns
    )


def _release_dataset(settings: Settings, catalog: Catalog, d: ReleaseDefinition) -> OpenDataset:
    entry = catalog.entries[d.catalog_entry]
    dept = catalog.departments.get(entry.department)
    rv = release_view(settings, d.id)
    return OpenDataset(
        id=d.id,
        kind="release",
        title=d.title,
        title_en=d.title_en,
        entry_id=entry.id,
        department=entry.department,
        provider=dept.name if dept else entry.department,
        provider_en=dept.name_en if dept else None,
        domain=entry.domain,
        summary=d.summary or entry.summary,
        items=_release_items(d, entry, rv),
        formats=RELEASE_FORMATS,
        open_type=d.open_type or entry.open.type,
        open_conditions=d.open_conditions or entry.open.conditions,
        update_cycle=d.update_cycle or entry.update_cycle,
        release=rv,
        keywords=(entry.domain, entry.title),
    )


def _entry_dataset(catalog: Catalog, entry: CatalogEntry) -> OpenDataset:
    dept = catalog.departments.get(entry.department)
    return OpenDataset(
        id=entry.id,
        kind="entry",
        title=entry.title,
        title_en=entry.title_en,
        entry_id=entry.id,
        department=entry.department,
        provider=dept.name if dept else entry.department,
        provider_en=dept.name_en if dept else None,
        domain=entry.domain,
        summary=entry.summary,
        items=_entry_items(entry),
        formats=(),
        open_type=entry.open.type,
        open_conditions=entry.open.conditions,
        update_cycle=entry.update_cycle,
        keywords=(entry.domain,),
    )


def open_catalog(settings: Settings) -> list[OpenDataset]:
    """Every open dataset: the open releases, then open entries with no release, by provider."""
    catalog, defs = catalog_and_definitions(settings)
    out: list[OpenDataset] = []
    released_entries: set[str] = set()
    for d in defs.values():
        entry = catalog.entries.get(d.catalog_entry)
        if entry is None:
            log.error("release %s names no catalog entry %s; left out", d.id, d.catalog_entry)
            continue
        released_entries.add(entry.id)
        if (d.open_type or entry.open.type) in OPEN_TYPES:
            out.append(_release_dataset(settings, catalog, d))
    for entry in catalog:
        if entry.open.type in OPEN_TYPES and entry.id not in released_entries:
            out.append(_entry_dataset(catalog, entry))
    out.sort(key=lambda ds: (ds.department, ds.kind != "release", ds.id))
    return out


def get_dataset(settings: Settings, dataset_id: str) -> OpenDataset | None:
    """The open dataset with this id (release id or catalog entry id), None if not open."""
    catalog, _ = catalog_and_definitions(settings)
    d = open_release(settings, dataset_id)
    if d is not None:
        return _release_dataset(settings, catalog, d)
    entry = catalog.entries.get(dataset_id)
    if entry is None or entry.open.type not in OPEN_TYPES:
        return None
    return next((ds for ds in open_catalog(settings) if ds.id == dataset_id), None)


def search(
    datasets: list[OpenDataset],
    *,
    q: str = "",
    department: str = "",
    theme: str = "",
    open_type: str = "",
) -> list[OpenDataset]:
    return [
        ds
        for ds in datasets
        if ds.matches(q)
        and (not department or ds.department == department)
        and (not theme or ds.domain == theme)
        and (not open_type or ds.open_type.value == open_type)
    ]


def facets(datasets: list[OpenDataset]) -> dict[str, list[Facet]]:
    """Departments, themes and open types with their counts, for the filters."""
    dept: dict[str, Facet] = {}
    theme: dict[str, int] = {}
    kinds: dict[OpenType, int] = {}
    for ds in datasets:
        f = dept.get(ds.department)
        dept[ds.department] = Facet(
            ds.department, ds.provider, ds.provider_en, (f.count if f else 0) + 1
        )
        theme[ds.domain] = theme.get(ds.domain, 0) + 1
        kinds[ds.open_type] = kinds.get(ds.open_type, 0) + 1
    return {
        "department": sorted(dept.values(), key=lambda f: f.value),
        "theme": [Facet(t, t, None, n) for t, n in sorted(theme.items())],
        "open_type": [
            Facet(k.value, k.label, OPEN_TYPE_EN[k], kinds[k]) for k in OPEN_TYPES if k in kinds
        ],
    }


__all__ = [
    "Facet",
    "Item",
    "catalog_and_definitions",
    "open_release",
    "OpenDataset",
    "PortalInfo",
    "facets",
    "get_dataset",
    "open_catalog",
    "portal_info",
    "search",
]
