"""Gated deliveries of share requests: exactly the approved items, the share masking with a
key per request, no row from a blocked batch, nothing for a suspended or revoked request, and
a new delivery only when the source has a new snapshot."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jutong.governance.audit import events, verify
from jutong.governance.cases.actors import parse_actor
from jutong.governance.cases.engine import fire
from jutong.governance.sharing.requests import request_share
from jutong.lake import Lake
from masking.delivery import DeliveryError, deliver, deliver_all
from tests.masking.delivery.conftest import rid
from tests.quality.gate_runs import record_gate

REQ = parse_actor("李科员:requester_staff@minzheng")
REQ2 = parse_actor("陈科员:requester_staff@renshe")
BUREAU = parse_actor("王审核:bureau_reviewer@dashuju")
PROV = parse_actor("张警官:provider_staff@gongan")


def _batch(batch: str, start: int, n: int) -> pa.Table:
    return pa.table(
        {
            "id_number": [rid(start + i) for i in range(n)],
            "name": [f"韦{'小宝大明'[i % 4]}{i}" for i in range(n)],
            "sex": ["男"] * n,
            "domicile_address": ["广西壮族自治区南宁市兴宁区朝阳路1号"] * n,
            "_batch_id": [batch] * n,
            "_row_number": list(range(1, n + 1)),
        }
    )


def _gate(settings, batch: str, status: str) -> None:
    record_gate(settings, "gongan.huji", batch, status, rows=5)


@pytest.fixture()
def staged(settings):
    lake = Lake(settings)
    good, bad = _batch("b1", 100, 6), _batch("b2", 200, 4)
    lake.ensure_table("staging", "gongan__huji", good.schema).append(good)
    lake.table("staging", "gongan__huji").append(bad)
    _gate(settings, "b1", "passed")
    _gate(settings, "b2", "blocked")
    return lake


def _subscribed(settings, actor=REQ, items=("公民身份号码", "姓名", "sex")):
    ref = request_share(
        settings, actor=actor, resource="gongan.huji", items=list(items), purpose="核查"
    ).ref
    for ev, who in (("pass", BUREAU), ("approve", PROV), ("push", BUREAU), ("subscribe", actor)):
        fire(settings, ref, ev, actor=who)
    return ref


def test_delivery_has_the_approved_items_masked_and_no_blocked_rows(settings, staged):
    ref = _subscribed(settings)
    res = deliver(settings, ref, actor="airflow")
    assert (res.version, res.rows, res.excluded_rows) == (1, 6, 4)
    share = Lake(settings).table("share", "sr_000001").scan().to_arrow()
    assert share.column_names == ["id_number", "name", "sex"]  # only the approved items
    ids = share.column("id_number").to_pylist()
    assert not any(i.startswith("4501") for i in ids)  # keyed pseudonyms, not the IDs
    assert all(n.startswith("韦") and "*" in n for n in share.column("name").to_pylist())
    assert rid(200) not in json.dumps(share.to_pylist())  # nothing of the blocked batch
    files = res.path
    manifest = json.loads((files / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows"] == {"source": 10, "excluded_not_passed": 4, "delivered": 6}
    assert manifest["items"] == ["id_number", "name", "sex"]
    assert "third parties" in manifest["use_conditions"]
    assert pq.read_table(files / "data.parquet").num_rows == 6
    assert "data.csv" in (files / "SHA256SUMS").read_text()
    [ev] = list(events(settings, action="share_request.deliver"))
    assert ev.subject == ref and ev.data["rows"]["delivered"] == 6
    assert verify(settings).ok

    # no new snapshot: nothing new; a new passed batch: a new version with its rows
    assert deliver(settings, ref).unchanged
    Lake(settings).table("staging", "gongan__huji").append(_batch("b3", 300, 2))
    _gate(settings, "b3", "passed")
    again = deliver(settings, ref)
    assert (again.version, again.rows) == (2, 8)


def test_two_requesters_get_tokens_that_do_not_join(settings, staged):
    """Where the share policy pseudonymizes (a sensitivity-4 identifier without a catalog
    display mask), each request has its own key."""
    path = settings.catalog_dir / "gongan" / "huji.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("masking: id_mask, golden_field: id_number", "golden_field: id_number"),
        encoding="utf-8",
    )
    a = deliver(settings, _subscribed(settings, REQ)).path
    b = deliver(settings, _subscribed(settings, REQ2)).path
    ta = set(pq.read_table(a / "data.parquet").column("id_number").to_pylist())
    tb = set(pq.read_table(b / "data.parquet").column("id_number").to_pylist())
    assert ta and tb and not ta & tb


def test_suspended_or_revoked_requests_get_nothing(settings, staged):
    ref = _subscribed(settings)
    deliver(settings, ref)
    fire(settings, ref, "suspend", actor=BUREAU, reason="超范围使用")
    with pytest.raises(DeliveryError, match="suspended"):
        deliver(settings, ref)
    assert deliver_all(settings) == []
    from jutong.governance.db import engine
    from jutong.governance.schema import share_deliveries

    def statuses():
        with engine(settings).connect() as conn:
            return [r.status for r in conn.execute(share_deliveries.select())]

    assert statuses() == ["suspended"]
    fire(settings, ref, "reinstate", actor=BUREAU, reason="已整改")
    assert statuses() == ["active"]
    fire(settings, ref, "revoke", actor=PROV, basis="GX-Dispatch art. 41")
    assert statuses() == ["revoked"]


def test_not_yet_subscribed_and_missing_source_are_refused(settings):
    ref = request_share(
        settings, actor=REQ, resource="gongan.huji", items=["姓名"], purpose="核查"
    ).ref
    with pytest.raises(DeliveryError, match="only a subscribed request"):
        deliver(settings, ref)
    for ev, who in (("pass", BUREAU), ("approve", PROV), ("push", BUREAU), ("subscribe", REQ)):
        fire(settings, ref, ev, actor=who)
    with pytest.raises(DeliveryError, match="no data yet"):
        deliver(settings, ref)
