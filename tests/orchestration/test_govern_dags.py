"""The SLA sweep and share delivery DAGs through real Airflow (dag.test in a subprocess)."""

from __future__ import annotations

import datetime as dt

import pytest

from jutong.governance.audit import events
from jutong.governance.cases.actors import parse_actor
from jutong.governance.db import dispose_all
from jutong.governance.sharing.requests import request_share
from jutong.orchestration.govern_dags import SHARE_DELIVER_DAG_ID, SLA_SWEEP_DAG_ID
from jutong.orchestration.runner import run_dags

pytestmark = pytest.mark.airflow


def _staged_and_subscribed(s) -> str:
    """A one-batch staging table whose gate passed, and a subscribed request for it."""
    import pyarrow as pa

    from jutong.governance.cases.engine import fire
    from jutong.lake import Lake
    from jutong.quality.store import GateRun, record

    t = pa.table({"name": ["韦小宝", "李四"], "sex": ["男", "男"], "_batch_id": ["b1", "b1"]})
    Lake(s).ensure_table("staging", "gongan__huji", t.schema).append(t)
    record(
        s,
        GateRun(
            "gongan.huji",
            "gongan",
            "b1",
            "passed",
            2,
            2,
            0,
            2,
            [],
            [],
            {},
            None,
            dt.date(2026, 11, 1),
            dt.datetime(2026, 11, 1),
        ),
    )
    req = parse_actor("周科员:requester_staff@shichang")
    ref = request_share(
        s, actor=req, resource="gongan.huji", items=["姓名", "性别"], purpose="核验"
    ).ref
    for ev, who in (
        ("pass", parse_actor("王审核:bureau_reviewer@dashuju")),
        ("approve", parse_actor("张警官:provider_staff@gongan")),
        ("push", parse_actor("王审核:bureau_reviewer@dashuju")),
        ("subscribe", req),
    ):
        fire(s, ref, ev, actor=who)
    return ref


def test_sla_sweep_and_share_deliver_dags(new_settings, tmp_path):
    s = new_settings(tmp_path / "home")
    shared = _staged_and_subscribed(s)
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
    runs = run_dags(s, [SLA_SWEEP_DAG_ID, SHARE_DELIVER_DAG_ID], tmp_path / "dags.log")
    assert [r.state for r in runs] == ["success", "success"], (tmp_path / "dags.log").read_text()[
        -3000:
    ]
    assert [e.subject for e in events(s, action="sla.escalate")] == [ref]
    [delivered] = list(events(s, action="share_request.deliver"))
    assert delivered.subject == shared and delivered.data["rows"]["delivered"] == 2
    # the audit listener (plugins/) recorded each task's hand-over
    tasks = {e.subject for e in events(s, action="airflow.task.success")}
    assert tasks == {f"{SLA_SWEEP_DAG_ID}.sweep", f"{SHARE_DELIVER_DAG_ID}.deliver"}
    assert list((s.home / "reports" / "overdue").glob("*/dashuju.csv"))
