"""OpenLineage for every task of the project's DAGs (可溯, GX-Dispatch art. 42).

Airflow's OpenLineage provider emits a START and a COMPLETE (or FAIL) event per task and per
DAG run to the transport of the settings (``Settings.openlineage_env``: a JSON-lines file
under ``<airflow_home>/lineage/events/`` by default, or Marquez). The provider cannot read
Jutong's Assets (``iceberg://jutong/<zone>/<table>``: no provider declares that scheme), and
its Python extractor gives a task no datasets, so ``TaskExtractor`` (configured as the
provider's custom extractor for Python tasks) gives each task:

* **inputs**: its inlets, else the Assets its DAG is scheduled on (what a standardize run, a
  build, a theme build or a release reads), and for an ingest DAG its landing folder;
* **outputs**: its outlets (the lake tables it publishes, a release's package);
* each output's **column lineage** facet from ``jutong.lineage`` (the catalog's edges, the
  releases', and for theme marts the published ``meta.lineage`` table), dbt's views looked
  through.

Nothing here may fail a task: the provider logs an extractor's error and emits the event
without datasets.
"""

from __future__ import annotations

import functools
import re

NAMESPACE_LAKE = "iceberg://jutong"  # the lake tables (the Assets' URI: iceberg://jutong/…)
ASSET_URI = re.compile(r"^iceberg://jutong/(?P<zone>[a-z_]+)/(?P<table>[A-Za-z0-9_]+)$")
NAMESPACE_RELEASES = "file://jutong/releases"  # open-data packages (release_dags.release_asset)
RELEASE_URI = re.compile(r"^file://jutong/releases/(?P<release>[a-z0-9_]+)$")

# (type, subtype) of OpenLineage's column-lineage transformations per lineage transform
_KINDS = {
    "copied": ("DIRECT", "IDENTITY"),
    "renamed": ("DIRECT", "IDENTITY"),
    "aggregated": ("DIRECT", "AGGREGATION"),
    "filtered": ("INDIRECT", "FILTER"),
    "entity resolution": ("INDIRECT", "JOIN"),
}


def _dataset_name(asset) -> tuple[str, str] | None:
    """(namespace, name) of an Airflow Asset or lineage entity the tasks use."""
    uri = getattr(asset, "uri", None) or getattr(asset, "url", None)
    if not uri:
        return None
    m = ASSET_URI.match(uri)
    if m:
        return NAMESPACE_LAKE, f"{m['zone']}.{m['table']}"
    m = RELEASE_URI.match(uri)
    if m:
        return NAMESPACE_RELEASES, f"release.{m['release']}"
    scheme, _, rest = uri.partition("://")
    return (f"{scheme}://", rest) if rest else None


def _schedule_assets(dag) -> list:
    """The Assets a DAG is scheduled on (any nesting of ``AssetAny`` / ``AssetAll``)."""
    out: list = []

    def walk(cond) -> None:
        if cond is None:
            return
        if hasattr(cond, "objects"):  # AssetAny, AssetAll
            for o in cond.objects:
                walk(o)
        elif getattr(cond, "uri", None):
            out.append(cond)

    walk(getattr(getattr(dag, "timetable", None), "asset_condition", None))
    return out


@functools.lru_cache(maxsize=1)
def _static_edges(catalog_dir: str) -> tuple:
    """The lineage edges known without dbt: the catalog's and the releases'."""
    from jutong.catalog.loader import load_catalog
    from jutong.catalog.releases import load_definitions
    from jutong.lineage.catalog_edges import catalog_edges
    from jutong.lineage.release_edges import release_edges

    catalog = load_catalog(catalog_dir)
    return tuple(catalog_edges(catalog) + release_edges(load_definitions(catalog_dir), catalog))


def _edges_for(settings, table: str) -> list:
    edges = list(_static_edges(str(settings.catalog_dir)))
    if table.startswith("theme."):  # the dbt part is in the published table only
        from jutong.lake import Lake
        from jutong.lineage.store import read_lineage

        edges += read_lineage(Lake(settings)) or []
    elif table.startswith("share."):  # what was delivered: the lake's share zone and requests
        from jutong.catalog.loader import load_catalog
        from jutong.lake import Lake
        from jutong.lineage.share_edges import share_edges

        edges += share_edges(settings, Lake(settings), load_catalog(settings.catalog_dir))
    return edges


def _column_facet(settings, table: str):
    from openlineage.client.facet_v2 import column_lineage_dataset as cl

    from jutong.lineage.graph import table_inputs

    fields = {}
    for column, sources in table_inputs(_edges_for(settings, table), table).items():
        inputs = []
        for source, trail in sources:
            zone, name, field = source.split(".", 2)
            transformations = []
            for e in trail:
                kind, sub = _KINDS.get(e.transform, ("DIRECT", "TRANSFORMATION"))
                transformations.append(
                    cl.Transformation(
                        type=kind,
                        subtype=sub,
                        description=f"{e.transform}: {e.detail}"[:500],
                        masking=e.transform == "masked",
                    )
                )
            namespace = "file://extract" if zone == "extract" else NAMESPACE_LAKE
            inputs.append(
                cl.InputField(
                    namespace=namespace,
                    name=f"{zone}.{name}",
                    field=field,
                    transformations=transformations,
                )
            )
        first = sources[0][1][0]
        fields[column] = cl.Fields(
            inputFields=inputs,
            transformationDescription=f"{first.transform}: {first.detail}"[:500],
            transformationType=_KINDS.get(first.transform, ("DIRECT", ""))[0],
        )
    return cl.ColumnLineageDatasetFacet(fields=fields) if fields else None


def _landing(settings, dag_id: str):
    """The landing folder an ingest DAG reads (``ingest__<department>__<dataset>``)."""
    m = re.fullmatch(r"ingest__([a-z0-9_]+?)__([a-z0-9_]+)", dag_id or "")
    if not m:
        return None
    return f"file://{settings.landing_dir / m[1] / m[2]}"


def _task_extractor() -> type:
    from airflow.providers.openlineage.extractors.base import OperatorLineage
    from airflow.providers.openlineage.extractors.python import PythonExtractor

    class TaskExtractor(PythonExtractor):
        """The provider's Python extractor (the source-code facet) plus datasets and column
        lineage (see the module doc)."""

        @classmethod
        def get_operator_classnames(cls) -> list[str]:
            return ["PythonOperator", "_PythonDecoratedOperator"]

        def _execute_extraction(self) -> OperatorLineage | None:
            base = super()._execute_extraction() or OperatorLineage()
            inputs, outputs = task_datasets(self.operator)
            return OperatorLineage(
                inputs=inputs,
                outputs=outputs,
                run_facets=base.run_facets,
                job_facets=base.job_facets,
            )

        def extract_on_complete(self, task_instance) -> OperatorLineage | None:
            # what a task recorded through an Asset alias (share__deliver's share tables) is
            # known once it ran
            lineage = self.extract() or OperatorLineage()
            lineage.outputs = [*lineage.outputs, *alias_outputs(task_instance)]
            return lineage

    TaskExtractor.__module__ = __name__
    TaskExtractor.__qualname__ = "TaskExtractor"
    return TaskExtractor


def __getattr__(name: str):
    # ``TaskExtractor`` subclasses the provider's extractor: built on first access (Airflow's
    # import of the configured path), so that importing this module imports no Airflow
    # (tests/test_layering.py)
    if name == "TaskExtractor":
        cls = _task_extractor()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def alias_outputs(task_instance) -> list:
    """Output datasets for the Assets a finished task recorded through an Asset alias (the
    events in its context's ``outlet_events``); none when there is no such context."""
    get_context = getattr(task_instance, "get_template_context", None)
    if get_context is None:
        return []
    try:
        events = get_context().get("outlet_events")
        accessors = list(getattr(events, "_dict", {}).values())
    except Exception:  # noqa: BLE001 - lineage never fails a task (module doc)
        return []
    from jutong.settings import get_settings

    settings = get_settings()
    out, seen = [], set()
    for acc in accessors:
        for ev in getattr(acc, "asset_alias_events", []):
            ds = _dataset_name(ev.dest_asset_key)
            if ds is not None and ds not in seen:
                seen.add(ds)
                out.append(_output(settings, ds))
    return out


def _output(settings, ds: tuple[str, str]):
    """An OpenLineage output dataset, with its column lineage where Jutong knows it."""
    from openlineage.client.event_v2 import OutputDataset

    facets = {}
    if ds[0] in (NAMESPACE_LAKE, NAMESPACE_RELEASES):
        facet = _column_facet(settings, ds[1])
        if facet is not None:
            facets["columnLineage"] = facet
    return OutputDataset(namespace=ds[0], name=ds[1], facets=facets)


def task_datasets(task) -> tuple[list, list]:
    """(inputs, outputs) of a task as OpenLineage datasets (see the module doc)."""
    from openlineage.client.event_v2 import InputDataset

    from jutong.settings import get_settings

    settings = get_settings()
    dag = getattr(task, "dag", None)
    inlets = list(task.inlets or []) or _schedule_assets(dag)
    inputs = []
    for a in inlets:
        if (ds := _dataset_name(a)) is not None:
            inputs.append(InputDataset(namespace=ds[0], name=ds[1]))
    landing = _landing(settings, getattr(dag, "dag_id", ""))
    if landing and not inlets:
        inputs.append(InputDataset(namespace="file://", name=landing.removeprefix("file://")))
    outputs = [
        _output(settings, ds) for a in task.outlets or [] if (ds := _dataset_name(a)) is not None
    ]
    return inputs, outputs
