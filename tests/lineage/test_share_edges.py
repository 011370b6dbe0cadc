"""The lineage of a delivery to a requesting department (``share.<request>``): derived from
what was delivered — the request's approved items, each with the share policy masking gives
it — and traced on to the provider's extract column."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from jutong.catalog.loader import load_catalog
from jutong.governance.cases.actors import parse_actor
from jutong.governance.cases.engine import fire
from jutong.governance.db import dispose_all
from jutong.governance.sharing.requests import request_share
from jutong.lake import Lake
from jutong.lineage.catalog_edges import catalog_edges
from jutong.lineage.graph import Lineage
from jutong.lineage.share_edges import share_edges
from masking.delivery.build import deliver, share_table_name
from tests.quality.gate_runs import record_gate


def _delivered(s) -> str:
    t = pa.table({"name": ["韦小宝", "李四"], "sex": ["1", "1"], "_batch_id": ["b1", "b1"]})
    Lake(s).ensure_table("staging", "gongan__huji", t.schema).append(t)
    day = dt.date(2026, 11, 2)
    record_gate(s, "gongan.huji", "b1", day=day)
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
    deliver(s, ref)
    return ref


def test_a_delivered_column_traces_to_the_providers_extract(settings):
    try:
        ref = _delivered(settings)
        catalog = load_catalog(settings.catalog_dir)
        edges = share_edges(settings, Lake(settings), catalog)
    finally:
        dispose_all()
    table = share_table_name(ref)
    by_target = {e.target: e for e in edges}
    name = by_target[f"share.{table}.name"]
    assert name.source == "staging.gongan__huji.name" and name.hop == "share"
    assert name.transform == "masked" and "mask (person_name)" in name.detail and ref in name.detail
    assert by_target[f"share.{table}.sex"].source == "staging.gongan__huji.sex"
    assert f"share.{table}._batch_id" not in by_target  # not an item of the catalog
    graph = Lineage(catalog_edges(catalog) + edges)
    assert graph.extract_columns(f"share.{table}.name") == ["extract.gongan__huji.姓名"]
