"""On-request opening (依申请开放, GX-Dispatch art. 33–34): a refusal gives its basis and may be
coordinated by the bureau; the provider opens the data; the requester's confirmation is filed."""

from __future__ import annotations

import datetime as dt

import pytest

from jutong.governance.audit import events
from jutong.governance.cases.model import CaseError, PermissionDenied
from jutong.governance.cases.queries import clocks_of
from jutong.governance.opening.deliveries import check_download, deliver
from jutong.governance.opening.ratings import rate
from jutong.governance.opening.requests import act, request_on_demand

from .conftest import BUREAU, PARCELS, PROV, PUB, at

pytestmark = pytest.mark.postgres  # SQLite and PostgreSQL (tests/conftest.py)

D = dt.date


def test_refused_coordinated_opened_confirmed_and_filed(accounts):
    settings = accounts
    case = request_on_demand(
        settings,
        actor=PUB,
        resource=PARCELS,
        items=["parcel_code"],
        purpose="课题研究",
        until=D(2027, 1, 31),
        at=at("2026-11-02"),
    )
    with pytest.raises(CaseError, match="legal basis"):
        act(settings, case.ref, "refuse", actor=PROV, reason="不便提供")
    refused = act(
        settings,
        case.ref,
        "refuse",
        actor=PROV,
        basis="《测绘法》第三十四条",
        at=at("2026-11-04"),
    )
    assert refused.state == "refused" and clocks_of(settings, case.ref)[0].status == "met"
    # the provider cannot settle its own refusal; the requester asks the bureau to coordinate
    with pytest.raises(CaseError, match="'grant' is not allowed while the case is refused"):
        act(settings, case.ref, "grant", actor=BUREAU, reason="x")
    act(settings, case.ref, "coordinate", actor=PUB, reason="研究确需使用", at=at("2026-11-05"))
    with pytest.raises(PermissionDenied):
        act(settings, case.ref, "grant", actor=PROV, reason="x")
    opening = act(
        settings, case.ref, "grant", actor=BUREAU, reason="脱敏后可提供", at=at("2026-11-06")
    )
    assert opening.state == "opening"
    # the provider opens within 5 wd of the decision: 11-09 … 11-13
    assert [c.due_on for c in clocks_of(settings, case.ref) if c.state == "opening"] == [
        D(2026, 11, 13)
    ]
    with pytest.raises(CaseError, match="'confirm' is not allowed while the case is opening"):
        act(settings, case.ref, "confirm", actor=PUB)
    opened = deliver(settings, case.ref, actor=PROV, method="download", at=at("2026-11-10"))
    assert opened.case.state == "opened"  # no agreement step in this flow
    assert check_download(settings, "zhangsan", PARCELS, at=at("2026-11-11")).ok
    filed = act(settings, case.ref, "confirm", actor=PUB, at=at("2026-11-11"))
    assert filed.state == "filed" and filed.closed  # 备案 (GX-Dispatch art. 34)
    rate(
        settings,
        case.ref,
        actor=PUB,
        scores=dict.fromkeys(
            ("conformity", "completeness", "accuracy", "consistency", "timeliness", "usability"), 4
        ),
    )
    assert [e.action for e in events(settings, subject=case.ref)] == [
        "open_on_request.open",
        "open_on_request.refuse",
        "open_on_request.coordinate",
        "access.denied",  # the provider's attempt to grant, audited
        "open_on_request.grant",
        "open_on_request.deliver",  # the provider opens the data (GX-Dispatch art. 33)
        "open_on_request.confirm",
        "open_on_request.rate",
    ]
