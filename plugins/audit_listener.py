"""Airflow listener: every task hand-over is an event of the audit chain.

When a task of a Jutong DAG (ingest, standardize, build, release, share delivery, SLA sweep)
ends, who ran what, in which run, and which lake tables or releases it handed on (its outlet
Assets) are appended to the tamper-evident audit log (GX-Dispatch art. 42:
谁提供谁负责，谁流转谁负责，谁使用谁负责). A failure to record is logged, never raised: the
task's own result stands, and `jutong audit verify` shows what the chain holds.
"""

from __future__ import annotations

import logging

from airflow.listeners import hookimpl

log = logging.getLogger(__name__)


def _record(task_instance, outcome: str, error: object = None) -> None:
    try:
        from jutong.governance.audit.log import record
        from jutong.settings import get_settings

        task = getattr(task_instance, "task", None)
        outlets = sorted(
            getattr(a, "name", None) or getattr(a, "uri", "") for a in getattr(task, "outlets", [])
        )
        data = {
            "dag_id": task_instance.dag_id,
            "task_id": task_instance.task_id,
            "run_id": task_instance.run_id,
            "try_number": getattr(task_instance, "try_number", None),
            "map_index": getattr(task_instance, "map_index", -1),
            "handed_over": outlets,
        }
        if error is not None:
            data["error"] = str(error)[:500]
        record(
            get_settings(),
            actor="airflow",
            role="pipeline",
            action=f"airflow.task.{outcome}",
            subject=f"{task_instance.dag_id}.{task_instance.task_id}",
            data=data,
        )
    except Exception as err:  # noqa: BLE001 - never fail a task over its audit record
        log.warning("jutong audit: could not record %s: %s", outcome, err)


@hookimpl
def on_task_instance_success(previous_state, task_instance):
    _record(task_instance, "success")


@hookimpl
def on_task_instance_failed(previous_state, task_instance, error):
    _record(task_instance, "failed", error)
