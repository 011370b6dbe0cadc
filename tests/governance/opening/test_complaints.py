"""Complaints about opened data (GX-Open art. 22): the release is suspended in the transaction
that opens the case, then verified and withdrawn, restored, or reprocessed and reopened."""

from __future__ import annotations

import datetime as dt

import pytest

from jutong.governance import releases
from jutong.governance.audit import events
from jutong.governance.cases.actors import parse_actor
from jutong.governance.cases.model import CaseError, PermissionDenied
from jutong.governance.cases.queries import clocks_of, get_case
from jutong.governance.opening import complaints, keys
from jutong.governance.opening.agreements import accept
from jutong.governance.opening.deliveries import deliver
from jutong.governance.opening.requests import act, request_open

from .conftest import BUREAU, CENTRE, PARCELS, PROV, PUB, STAFF, at, publish_release

pytestmark = pytest.mark.postgres  # SQLite and PostgreSQL (tests/conftest.py)

D = dt.date
QIYE = "qiye_registrations"  # an unconditional release of shichang.qiye


def _complain(settings, release=QIYE, actor=PUB, when="2026-11-02"):
    return complaints.file_complaint(
        settings,
        actor=actor,
        release_id=release,
        grounds="privacy",
        evidence="第12行含有本人手机号码",
        at=at(when),
    )


def test_complaint_suspends_at_once_then_withdraw(accounts):
    settings = accounts
    publish_release(settings, QIYE, at("2026-10-20"))
    assert releases.is_served(settings, QIYE)
    case = _complain(settings)
    assert (case.ref, case.kind, case.state, case.provider) == (
        "CP-000001",
        "complaint",
        "suspended",
        "shichang",
    )
    # suspended in the same transaction: the release is no longer served
    assert releases.status(settings, QIYE) is releases.Status.suspended
    with pytest.raises(releases.ReleaseNotServed, match="complaint CP-000001"):
        releases.serve_path(settings, QIYE)
    ev = releases.events(settings, QIYE)[-1]
    assert ev["action"] == "suspend" and ev["actor"] == "张三:public@zhangsan"
    # owned by open-data staff, verification within 5 wd: 11-03 … 11-09
    (clock,) = clocks_of(settings, case.ref)
    assert (clock.party, clock.due_on, clock.basis) == ("bureau", D(2026, 11, 9), "GX-Open art. 22")
    with pytest.raises(PermissionDenied, match="open_data_staff"):
        complaints.decide(settings, case.ref, "verify", actor=BUREAU, reason="核实")
    with pytest.raises(CaseError, match="'withdraw' is not allowed while the case is suspended"):
        complaints.decide(settings, case.ref, "withdraw", actor=STAFF, reason="x")
    with pytest.raises(CaseError, match="reasons"):
        complaints.decide(settings, case.ref, "verify", actor=STAFF)
    complaints.decide(settings, case.ref, "verify", actor=STAFF, reason="属实", at=at("2026-11-04"))
    done = complaints.decide(
        settings, case.ref, "withdraw", actor=STAFF, reason="撤回数据", at=at("2026-11-05")
    )
    assert done.state == "withdrawn" and done.closed
    assert releases.status(settings, QIYE) is releases.Status.withdrawn
    assert [e.action for e in events(settings, subject=case.ref)] == [
        "complaint.open",
        "access.denied",  # the bureau reviewer's attempt, audited (LZ-Rules art. 31)
        "complaint.verify",
        "complaint.withdraw",
    ]
    # the release's own audit events, written in the case's transactions
    rel_events = list(events(settings, subject=f"release:{QIYE}"))
    assert [e.action for e in rel_events] == ["release.suspend", "release.withdraw"]
    assert (rel_events[0].role, rel_events[0].department) == ("public", "zhangsan")
    # a withdrawn release is not served: no complaint about it
    with pytest.raises(CaseError, match="withdrawn"):
        _complain(settings)


def test_restore_waits_for_every_complaint_and_keys_answer_451(accounts, parcel_release):
    settings = accounts
    req = request_open(
        settings,
        actor=PUB,
        resource=PARCELS,
        items=["parcel_code"],
        purpose="研究",
        until=D(2026, 12, 31),
        at=at("2026-11-02"),
    )
    act(settings, req.ref, "pass", actor=CENTRE, at=at("2026-11-02", 15))
    act(settings, req.ref, "approve", actor=PROV, at=at("2026-11-03"))
    act(settings, req.ref, "approve", actor=BUREAU, at=at("2026-11-03", 15))
    accept(settings, req.ref, actor=PUB, version="data_use_v1", at=at("2026-11-04"))
    token = deliver(
        settings, req.ref, actor=PROV, method="api", release_id=parcel_release, at=at("2026-11-04")
    ).token
    assert keys.check_key(settings, token, at=at("2026-11-05")).ok

    # anyone files: here a department's staff, and then a public account
    first = _complain(
        settings, parcel_release, parse_actor("周:requester_staff@minzheng"), "2026-11-05"
    )
    second = _complain(settings, parcel_release, PUB, "2026-11-05")
    assert second.data["already_suspended"] is True
    blocked = keys.check_key(settings, token, at=at("2026-11-05", 11))
    assert blocked.status == 451 and first.ref in blocked.reason

    complaints.decide(
        settings, first.ref, "verify", actor=STAFF, reason="不属实", at=at("2026-11-06")
    )
    with pytest.raises(CaseError, match=f"stays suspended while complaint\\(s\\) {second.ref}"):
        complaints.decide(settings, first.ref, "restore", actor=STAFF, reason="不属实")
    assert get_case(settings, first.ref).state == "verified"  # nothing changed
    complaints.decide(
        settings, second.ref, "verify", actor=STAFF, reason="部分属实", at=at("2026-11-06")
    )
    complaints.decide(
        settings, second.ref, "reprocess", actor=STAFF, reason="重新脱敏", at=at("2026-11-06")
    )
    assert releases.status(settings, parcel_release) is releases.Status.withdrawn
    assert keys.check_key(settings, token, at=at("2026-11-07")).status == 451
    with pytest.raises(CaseError, match="rebuild it"):
        complaints.decide(settings, second.ref, "reopen", actor=STAFF)
    publish_release(settings, parcel_release, at("2026-11-09"), version=2)  # the new build
    reopened = complaints.decide(settings, second.ref, "reopen", actor=STAFF, at=at("2026-11-09"))
    assert reopened.state == "reopened"
    assert keys.check_key(settings, token, at=at("2026-11-10")).ok
    # the first complaint can now close: the release is served again
    complaints.decide(
        settings, first.ref, "restore", actor=STAFF, reason="不属实", at=at("2026-11-10")
    )
    assert releases.is_served(settings, parcel_release)


def test_complaint_needs_evidence_and_a_known_release(accounts):
    settings = accounts
    with pytest.raises(CaseError, match="evidence"):
        complaints.file_complaint(
            settings, actor=PUB, release_id=QIYE, grounds="privacy", evidence=""
        )
    with pytest.raises(CaseError, match="never been published"):
        _complain(settings)
    with pytest.raises(CaseError, match="no release definition"):
        _complain(settings, release="nope")
    with pytest.raises(CaseError, match="grounds"):
        complaints.file_complaint(
            settings, actor=PUB, release_id=QIYE, grounds="dislike", evidence="x"
        )


def test_case_and_suspension_commit_together_or_not_at_all(accounts, monkeypatch):
    """If the suspension fails, the complaint case is not opened either (one transaction)."""
    from jutong.catalog.releases import ReleaseError
    from jutong.governance.cases.queries import list_cases

    settings = accounts
    publish_release(settings, QIYE, at("2026-10-20"))
    before = len(list(events(settings)))

    def broken(*args, **kwargs):
        raise ReleaseError("disk full while writing the release event")

    monkeypatch.setattr(complaints.rel, "transition_in", broken)
    with pytest.raises(ReleaseError, match="disk full"):
        _complain(settings)
    assert list_cases(settings, kind="complaint") == []
    assert len(list(events(settings))) == before  # no complaint.open either
    assert releases.is_served(settings, QIYE)
