"""``build_release``: build, gate and publish a new version of a release.

GX-Reg art. 25; GX-Open art. 16, 19; SX-Reg art. 15:

1. reads the table from the lake;
2. applies the open policy of every column and the k-anonymity gate (records,
   ``masking.release.records``), or counts with small-cell suppression (statistics,
   ``masking.release.aggregate``);
3. runs the residual PII scan of every string column (``masking.release.residual``);
4. writes and records the version (``masking.release.package``).

A dataset classified 不予开放 is opened only as an aggregate release with its own open type;
a suspended release is not rebuilt (GX-Open art. 22).
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from jutong.catalog import Catalog, load_catalog
from jutong.catalog.model import OpenType
from jutong.catalog.releases import ReleaseDefinition, ReleaseError, get_definition
from jutong.governance import releases as G
from jutong.settings import Settings
from masking.policies import ColumnPolicy
from masking.release.aggregate import count_cells
from masking.release.package import ReleaseResult, publish_version
from masking.release.records import mask_records
from masking.release.residual import check_residual


def check_mart_policies(settings: Settings, d: ReleaseDefinition) -> None:
    """A release reading a theme mart: the mart is one of the dbt project's, and every mart
    column it reads that reaches PII by lineage carries a masking policy (``meta.masking``,
    ``jutong themes policies``) — else nothing is read."""
    from jutong.themes.policies import mart_names, policy_problems
    from jutong.themes.project import project_dir

    project = project_dir(settings)
    if d.source.table not in mart_names(project):
        raise ReleaseError(
            f"release '{d.id}': theme.{d.source.table} is not a mart of the dbt project "
            f"{project} (marts: {', '.join(mart_names(project))})"
        )
    read = {c.source_column for c in d.columns}
    problems = [
        p
        for p in policy_problems(project)
        if p.split(":", 1)[0].partition(".")[::2] in {(d.source.table, c) for c in read}
    ]
    if problems:
        raise ReleaseError(
            f"release '{d.id}': theme.{d.source.table} has columns reaching PII without a "
            f"masking policy: {'; '.join(problems)}"
        )


def read_source(settings: Settings, d: ReleaseDefinition) -> pa.Table:
    from jutong.lake import Lake

    if d.source.zone == "theme":
        check_mart_policies(settings, d)
    lake = Lake(settings)
    if not lake.table_exists(d.source.zone, d.source.table):
        raise ReleaseError(
            f"release '{d.id}': the source table {d.source.zone}.{d.source.table} does not "
            "exist yet (build the base databases first)"
        )
    table = lake.table(d.source.zone, d.source.table)
    wanted = sorted({c.source_column for c in d.columns})
    if d.aggregate is not None and d.aggregate.weight:
        wanted = sorted({*wanted, d.aggregate.weight})
    have = table.schema().column_names
    missing = [c for c in wanted if c not in have]
    if missing:
        raise ReleaseError(
            f"release '{d.id}': {d.source.zone}.{d.source.table} has no column(s) "
            f"{', '.join(missing)}"
        )
    return table.scan(selected_fields=tuple(wanted)).to_arrow()


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
    current = G.check_buildable(settings, d.id)
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

    source = read_source(settings, d)
    report: dict = {
        "release_id": d.id,
        "as_of": as_of.isoformat(),
        "source": f"{d.source.zone}.{d.source.table}",
        "source_rows": source.num_rows,
    }
    pol_by_col: dict[str, ColumnPolicy] = {}
    if d.kind == "records":
        out, labels, pol_by_col = mask_records(settings, d, catalog, entry, source, as_of, report)
    else:
        out, labels = count_cells(d, source, as_of, report)
    check_residual(d, out, report, {c: p.holds for c, p in pol_by_col.items()})
    return publish_version(
        settings,
        d,
        entry,
        catalog,
        out,
        labels,
        pol_by_col,
        report,
        previous=current,
        as_of=as_of,
        actor=actor,
    )
