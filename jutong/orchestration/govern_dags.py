"""``govern__sla_sweep``: the governance SLA sweep every 15 minutes.

Reminders for steps due soon, escalations of overdue ones to the bureau, the day's overdue
report per department, provisional deadlines made final, and a signed checkpoint of the audit
chain (``jutong.governance.sla.sweep``; GX-Dispatch art. 29, 42). Idempotent: a run that
overlaps or repeats sends nothing twice.
"""

from __future__ import annotations

from jutong.orchestration.ingest_dags import DEFAULT_ARGS, START
from jutong.settings import get_settings

SLA_SWEEP_DAG_ID = "govern__sla_sweep"


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


def build_all() -> dict[str, object]:
    return {SLA_SWEEP_DAG_ID: build_sla_sweep_dag()}
