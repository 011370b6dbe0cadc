"""Two writers at once, on SQLite and on PostgreSQL: a case transition racing another one on a
second connection is refused (StaleVersion) and changes nothing; audit appends on two
connections are serialized by the head row (the second waits for the first to commit) and the
chain stays one chain."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
import sqlalchemy as sa

from jutong.governance.audit import events, verify
from jutong.governance.audit.log import append
from jutong.governance.cases.actors import parse_actor
from jutong.governance.cases.engine import fire
from jutong.governance.cases.model import StaleVersion
from jutong.governance.cases.queries import get_case
from jutong.governance.db import dispose_all, engine
from jutong.governance.schema import cases
from jutong.governance.sharing.requests import request_share
from jutong.workdays import CHINA_TZ

pytestmark = pytest.mark.postgres

REQ = parse_actor("李科员:requester_staff@minzheng")
BUREAU = parse_actor("王审核:bureau_reviewer@dashuju")
AT = dt.datetime(2026, 9, 29, 10, tzinfo=CHINA_TZ)
LATER = dt.datetime(2026, 9, 30, 10, tzinfo=CHINA_TZ)


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    dispose_all()


def _case(settings):
    return request_share(
        settings,
        actor=REQ,
        resource="gongan.huji",
        items=["name", "公民身份号码"],
        purpose="低保资格核查",
        at=AT,
    )


class _Runner(threading.Thread):
    def __init__(self, fn):
        super().__init__(daemon=True)
        self.fn, self.result, self.error = fn, None, None

    def run(self):
        try:
            self.result = self.fn()
        except BaseException as err:  # noqa: BLE001 - inspected by the test
            self.error = err


def test_a_transition_waiting_on_another_connection_is_refused_as_stale(settings):
    case = _case(settings)
    assert case.version == 1
    eng = engine(settings)
    other = eng.connect()
    tx = other.begin()
    # another transition is under way on a second connection: the case row is written, not
    # committed yet
    other.execute(
        sa.update(cases).where(cases.c.ref == case.ref).values(version=2, state="provider_review")
    )
    racer = _Runner(
        lambda: fire(settings, case.ref, "pass", actor=BUREAU, at=LATER, expected_version=1)
    )
    racer.start()
    racer.join(0.5)
    assert racer.is_alive(), "the second writer did not wait for the first"
    tx.commit()
    other.close()
    racer.join(30)
    assert not racer.is_alive()
    assert isinstance(racer.error, StaleVersion), racer.error
    assert (racer.error.expected, racer.error.current) == (1, 2)
    now = get_case(settings, case.ref)
    assert (now.version, now.state) == (2, "provider_review")
    # nothing of the refused transition was written: no audit event, no clock change
    assert [e.action for e in events(settings, subject=case.ref)] == ["share_request.open"]
    assert verify(settings).ok


def test_two_transitions_at_once_one_wins(settings):
    refs = [_case(settings).ref for _ in range(3)]
    for ref in refs:
        start = threading.Barrier(2)

        def go(ref=ref, start=start):
            start.wait()
            return fire(settings, ref, "pass", actor=BUREAU, at=LATER, expected_version=1)

        runners = [_Runner(go), _Runner(go)]
        for r in runners:
            r.start()
        for r in runners:
            r.join(30)
        won = [r.result for r in runners if r.error is None]
        lost = [r.error for r in runners if r.error is not None]
        assert len(won) == 1 and len(lost) == 1, lost
        assert isinstance(lost[0], StaleVersion), lost[0]
        assert get_case(settings, ref).version == 2
        actions = [e.action for e in events(settings, subject=ref)]
        assert actions == ["share_request.open", "share_request.pass"]
    rep = verify(settings)
    assert rep.ok, rep.problems


def test_a_second_audit_writer_waits_for_the_first_and_the_chain_holds(settings):
    eng = engine(settings)
    first = eng.connect()
    tx = first.begin()
    a = append(first, actor="t1", action="test.append", subject="A")

    def second():
        with eng.begin() as conn:
            return append(conn, actor="t2", action="test.append", subject="B")

    racer = _Runner(second)
    racer.start()
    racer.join(0.5)
    assert racer.is_alive(), "the second audit writer did not wait for the head row"
    time.sleep(0.1)
    tx.commit()
    first.close()
    racer.join(30)
    assert racer.error is None, racer.error
    b = racer.result
    assert (a.seq, b.seq) == (1, 2) and b.prev_hash == a.hash
    rep = verify(settings)
    assert rep.ok and rep.events == 2, rep.problems
