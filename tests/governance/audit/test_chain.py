"""The audit hash chain (GX-Dispatch art. 42): appends, and the five tamper cases verify
detects — edited, deleted, inserted, reordered events and a truncated tail — naming the first
bad event."""

from __future__ import annotations

import json
import threading

import pytest
import sqlalchemy as sa

from jutong.cli import main
from jutong.governance.audit import event_hash, events, head, verify, write_checkpoint
from jutong.governance.audit.chain import content
from jutong.governance.audit.log import append, record
from jutong.governance.db import dispose_all, engine
from jutong.governance.schema import audit_events, audit_head

pytestmark = pytest.mark.postgres  # SQLite and PostgreSQL (tests/conftest.py)


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    dispose_all()


def _log(settings, n=6):
    for i in range(1, n + 1):
        record(
            settings,
            actor=f"user{i}",
            role="bureau_reviewer",
            department="dsj",
            action="share.review",
            subject=f"SR-{i:04d}",
            data={"decision": "pass", "items": ["姓名", "公民身份号码"], "n": i},
        )


def _sql(settings, *statements):
    with engine(settings).begin() as conn:
        for st in statements:
            conn.execute(sa.text(st) if isinstance(st, str) else st)


def test_appends_chain_and_verify_clean(settings):
    _log(settings)
    evs = list(events(settings))
    assert [e.seq for e in evs] == [1, 2, 3, 4, 5, 6]
    assert evs[0].prev_hash == "0" * 64
    for a, b in zip(evs, evs[1:], strict=False):
        assert b.prev_hash == a.hash
        assert event_hash(b.prev_hash, b.content()) == b.hash
    assert evs[2].data == {"decision": "pass", "items": ["姓名", "公民身份号码"], "n": 3}
    assert head(settings) == (6, evs[-1].hash)
    write_checkpoint(settings)
    rep = verify(settings)
    assert rep.ok and rep.events == 6 and rep.checkpoints == 1 and rep.warnings == []


def test_edited_event_is_named(settings):
    _log(settings)
    _sql(settings, "UPDATE audit_events SET subject = 'SR-9999' WHERE seq = 3")
    rep = verify(settings)
    assert not rep.ok and rep.first_bad == 3
    assert "event #3" in rep.problems[0] and "edited" in rep.problems[0]


def test_edited_data_is_named(settings):
    _log(settings)
    with engine(settings).connect() as conn:
        data = conn.execute(sa.text("SELECT data FROM audit_events WHERE seq = 4")).scalar()
    forged = json.dumps({**json.loads(data), "decision": "fail"}, ensure_ascii=False)
    _sql(settings, sa.update(audit_events).where(audit_events.c.seq == 4).values(data=forged))
    assert verify(settings).first_bad == 4


def test_deleted_event_is_named(settings):
    _log(settings)
    _sql(settings, "DELETE FROM audit_events WHERE seq = 3")
    rep = verify(settings)
    assert rep.first_bad == 3 and "missing" in rep.problems[0]


def test_inserted_event_is_named(settings):
    """A forged event slipped in at #3 with a correct hash: the real #3, now at #4, no longer
    matches its position."""
    _log(settings)
    with engine(settings).begin() as conn:
        for seq in range(6, 2, -1):
            conn.execute(sa.text(f"UPDATE audit_events SET seq = {seq + 1} WHERE seq = {seq}"))
        prev, at = conn.execute(
            sa.select(audit_events.c.hash, audit_events.c.at).where(audit_events.c.seq == 2)
        ).one()
    body = content(3, at, "mallory", None, "dsj", "share.decide", "SR-0099", {"granted": True})
    _sql(
        settings,
        sa.insert(audit_events).values(
            seq=3,
            at=at,
            actor="mallory",
            role=None,
            department="dsj",
            action="share.decide",
            subject="SR-0099",
            data=json.dumps({"granted": True}, separators=(",", ":")),
            prev_hash=prev,
            hash=event_hash(prev, body),
        ),
    )
    rep = verify(settings)
    assert not rep.ok and rep.first_bad == 3, rep.problems
    assert "inserted, deleted or reordered" in rep.problems[0]


def test_reordered_events_are_named(settings):
    _log(settings)
    cols = [c for c in audit_events.c if c.name != "seq"]
    with engine(settings).begin() as conn:
        r3 = conn.execute(sa.select(*cols).where(audit_events.c.seq == 3)).one()
        r4 = conn.execute(sa.select(*cols).where(audit_events.c.seq == 4)).one()
        for seq, row in ((3, r4), (4, r3)):
            conn.execute(
                sa.update(audit_events)
                .where(audit_events.c.seq == seq)
                .values(**dict(row._mapping))
            )
    rep = verify(settings)
    assert rep.first_bad == 3 and "reordered" in rep.problems[0], rep.problems


def test_truncated_tail_is_caught_by_the_signed_checkpoint(settings):
    """Deleting the last events and rewinding the head row leaves a chain that is internally
    sound; only the checkpoint kept outside the database shows it."""
    _log(settings)
    write_checkpoint(settings)
    with engine(settings).connect() as conn:
        h4 = conn.execute(sa.text("SELECT hash FROM audit_events WHERE seq = 4")).scalar()
    _sql(
        settings,
        "DELETE FROM audit_events WHERE seq > 4",
        sa.update(audit_head).values(seq=4, hash=h4),
    )
    rep = verify(settings)
    assert rep.first_bad == 5 and "deleted" in rep.problems[0], rep.problems


def test_tail_deleted_without_rewinding_the_head(settings):
    _log(settings)
    _sql(settings, "DELETE FROM audit_events WHERE seq > 4")
    rep = verify(settings)
    assert rep.first_bad == 5 and "tail was deleted" in rep.problems[0]


def test_rewritten_chain_is_caught_by_the_checkpoint(settings):
    """An attacker edits #2 and recomputes every later hash and the head: the checkpoint's
    signed hash of #6 no longer matches."""
    _log(settings)
    write_checkpoint(settings)
    evs = list(events(settings))
    prev = "0" * 64
    with engine(settings).begin() as conn:
        for e in evs:
            body = e.content()
            if e.seq == 2:
                body["actor"] = "mallory"
            h = event_hash(prev, body)
            conn.execute(
                sa.update(audit_events)
                .where(audit_events.c.seq == e.seq)
                .values(actor=body["actor"], prev_hash=prev, hash=h)
            )
            prev = h
        conn.execute(sa.update(audit_head).values(hash=prev))
    rep = verify(settings)
    assert not rep.ok and rep.first_bad == 6 and "changed since" in rep.problems[0]


def test_forged_checkpoint_signature_is_refused(settings):
    _log(settings)
    cp = write_checkpoint(settings)
    doc = json.loads(cp.path.read_text())
    doc["seq"] = 3
    cp.path.write_text(json.dumps(doc))
    rep = verify(settings)
    assert not rep.ok and "signature is not valid" in rep.problems[0]


def test_event_and_decision_commit_together(settings):
    """An audit event written in a transaction that fails is rolled back with it."""
    _log(settings, 2)
    with pytest.raises(RuntimeError), engine(settings).begin() as conn:
        append(conn, actor="a", action="share.decide", subject="SR-1")
        raise RuntimeError("the decision failed")
    assert head(settings)[0] == 2 and verify(settings).ok


def test_concurrent_appends_keep_one_chain(settings):
    engine(settings)  # migrate once before the threads start
    errors: list[BaseException] = []

    def work(k):
        try:
            for i in range(15):
                record(settings, actor=f"t{k}", action="test.append", subject=f"S{k}-{i}")
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rep = verify(settings)
    assert rep.ok and rep.events == 60, rep.problems


def test_cli_verify_list_export(settings, capsys, tmp_path):
    _log(settings, 3)
    assert main(["audit", "checkpoint"]) == 0
    assert "signed checkpoint of event #3" in capsys.readouterr().out
    assert main(["audit", "verify"]) == 0
    assert "audit chain intact: 3 event(s)" in capsys.readouterr().out
    assert main(["audit", "list", "--limit", "2"]) == 0
    out = capsys.readouterr().out
    assert "SR-0003" in out and "SR-0001" not in out
    out_file = tmp_path / "audit.jsonl"
    assert main(["audit", "export", "--out", str(out_file)]) == 0
    lines = [json.loads(x) for x in out_file.read_text(encoding="utf-8").splitlines()]
    assert [x["seq"] for x in lines] == [1, 2, 3] and lines[2]["data"]["n"] == 3
    assert main(["audit", "export", "--out", str(out_file)]) == 1
    assert "exists" in capsys.readouterr().err
    _sql(settings, "UPDATE audit_events SET actor = 'x' WHERE seq = 2")
    assert main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert "first bad event #2" in err and "event #2" in err
    assert main(["audit", "verify", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["first_bad"] == 2
