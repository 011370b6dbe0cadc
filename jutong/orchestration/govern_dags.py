"""``govern__sla_sweep`` (the governance SLA sweep every 15 minutes) and ``share__deliver``.

Reminders for steps due soon, escalations of overdue ones to the bureau, the day's overdue
report per department, provisional deadlines made final, and a signed checkpoint of the audit
chain (``jutong.governance.sla.sweep``; GX-Dispatch art. 29, 42). Idempotent: a run that
overlaps or repeats sends nothing twice.
"""

from __future__ import annotations

from jutong.orchestration.ingest_dags import DEFAULT_ARGS, START
from jutong.settings import get_settings

SLA_SWEEP_DAG_ID = "govern__sla_sweep"
SHARE_DELIVER_DAG_ID = "share__deliver"
# the share tables a delivery run wrote are known only when it ran: its outlet is this alias,
# and the run records one Asset event per share table it delivered to (none when nothing changed)
SHARE_DELIVERIES_ALIAS = "share_deliveries"


def build_sla_sweep_dag():
    from airflow.sdk import DAG, task

    with DAG(
        dag_id=SLA_SWEEP_DAG_ID,
        description="Governance deadlines: reminders, escalations, overdue reports",
        schedule="*/15 * * * *",
        start_date=START,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["governance", "sla"],
        doc_md=__doc__,
    ) as dag:

        @task(task_id="sweep")
        def sweep_task() -> dict:
            from jutong.governance.sla import sweep

            res = sweep(get_settings())
            print(res.summary())
            return {
                "as_of": res.as_of.isoformat(),
                "reminders": res.reminders,
                "escalations": res.escalations,
                "reports": [str(p) for p in res.reports],
            }

        sweep_task()
    return dag


def build_share_deliver_dag(catalog=None):
    """``share__deliver``: re-deliver subscribed share requests when a table they read gets a
    new snapshot (scheduled on every staging Asset and on the base and theme tables of the
    bureau's share list, ``catalog/shared/``; ``masking.delivery``). Each share table a run
    delivered to gets an Asset event (``share.<request>``) through the alias
    ``SHARE_DELIVERIES_ALIAS``: what the run handed on, for the Assets view and lineage."""
    import functools
    import operator

    from airflow.sdk import DAG, AssetAlias, task

    from jutong.catalog import load_catalog
    from jutong.orchestration.assets import table_asset
    from jutong.orchestration.standardize_dags import staging_asset

    catalog = catalog or load_catalog(get_settings().catalog_dir)
    assets = [staging_asset(e) for e in catalog]
    assets += [table_asset(r.zone, r.table_name) for _, r in sorted(catalog.shared.items())]
    with DAG(
        dag_id=SHARE_DELIVER_DAG_ID,
        description="Gated deliveries of subscribed share requests",
        schedule=functools.reduce(operator.or_, assets),
        start_date=START,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["governance", "share"],
        doc_md=build_share_deliver_dag.__doc__,
    ) as dag:
        alias = AssetAlias(SHARE_DELIVERIES_ALIAS)

        @task(task_id="deliver", outlets=[alias])
        def deliver_task(*, outlet_events=None) -> list[str]:
            from masking.delivery import deliver_all

            results = deliver_all(get_settings(), actor="airflow")
            for r in results:
                print(r.summary())
                if not r.unchanged:
                    zone, _, table = r.share_table.partition(".")
                    outlet_events[alias].add(
                        table_asset(zone, table), extra={"request": r.ref, "version": r.version}
                    )
            return [r.summary() for r in results]

        deliver_task()
    return dag


def build_all() -> dict[str, object]:
    return {
        SLA_SWEEP_DAG_ID: build_sla_sweep_dag(),
        SHARE_DELIVER_DAG_ID: build_share_deliver_dag(),
    }
