"""The SLA sweep DAG through real Airflow (dag.test in a subprocess)."""

from __future__ import annotations

import datetime as dt

import pytest

from jutong.governance.audit import events
from jutong.governance.cases.actors import parse_actor
from jutong.governance.db import dispose_all
from jutong.governance.sharing.requests import request_share
from jutong.orchestration.govern_dags import SLA_SWEEP_DAG_ID
from jutong.orchestration.runner import run_dags

pytestmark = pytest.mark.airflow


def test_sla_sweep_dag_escalates_an_overdue_step(new_settings, tmp_path):
    s = new_settings(tmp_path / "home")
    ten_days_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
    ref = request_share(
        s,
        actor=parse_actor("李科员:requester_staff@minzheng"),
        resource="gongan.huji",
        items=["姓名"],
        purpose="核查",
        at=ten_days_ago,
    ).ref
    dispose_all()
    [run] = run_dags(s, [SLA_SWEEP_DAG_ID], tmp_path / "sweep.log")
    assert run.state == "success", (tmp_path / "sweep.log").read_text()[-3000:]
    assert [e.subject for e in events(s, action="sla.escalate")] == [ref]
    assert list((s.home / "reports" / "overdue").glob("*/dashuju.csv"))
