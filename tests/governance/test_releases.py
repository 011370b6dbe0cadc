"""The release state machine (GX-Open art. 22) on the governance database alone: publish,
suspend, withdraw, restore, reopen, and what is served."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from jutong.catalog.releases import ReleaseError
from jutong.governance import releases as G
from jutong.governance.db import dispose_all, utcnow

pytestmark = pytest.mark.postgres  # SQLite and PostgreSQL (tests/conftest.py)

RID = "qiye_registrations"


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    dispose_all()


def _build(settings, tmp_path: Path, version: int) -> Path:
    """What a build records: a version folder and its publish (or reopen) event."""
    previous = G.check_buildable(settings, RID)
    folder = tmp_path / f"v{version}"
    folder.mkdir()
    (folder / "data.csv").write_text("a\n1\n", encoding="utf-8")
    G.record_build(
        settings,
        RID,
        version=version,
        path=folder,
        rows=1,
        data_sha256="0" * 64,
        built_at=utcnow(),
        actor="builder",
        as_of=dt.date(2026, 12, 1),
        previous=previous,
    )
    return folder


def test_never_published_release_is_not_served_and_cannot_change(settings):
    assert G.status(settings, RID) is None and not G.is_served(settings, RID)
    with pytest.raises(G.ReleaseNotServed, match="no published version"):
        G.serve_path(settings, RID)
    with pytest.raises(ReleaseError, match="never been published"):
        G.suspend(settings, RID, "投诉")


def test_complaint_cycle(settings, tmp_path):
    v1 = _build(settings, tmp_path, 1)
    assert G.status(settings, RID) is G.Status.published
    assert G.serve_path(settings, RID) == v1 / "data.csv"
    with pytest.raises(G.ReleaseNotServed, match="no file 'secret.txt'"):
        G.serve_path(settings, RID, file="secret.txt")

    ev = G.suspend(settings, RID, "  投诉：疑似泄露个人隐私 ", actor="staff")
    assert (ev["from_status"], ev["to_status"], ev["reason"]) == (
        "published",
        "suspended",
        "投诉：疑似泄露个人隐私",
    )
    with pytest.raises(G.ReleaseNotServed, match="suspended since .*投诉"):
        G.serve_path(settings, RID)
    with pytest.raises(ReleaseError, match="is suspended .*restore or withdraw"):
        G.check_buildable(settings, RID)
    with pytest.raises(ReleaseError, match="cannot suspend .*it is suspended"):
        G.suspend(settings, RID, "again")
    G.restore(settings, RID, "核实无问题", actor="reviewer")
    assert G.is_served(settings, RID)

    G.withdraw(settings, RID, "核实属实，撤回")
    assert [v["withdrawn"] for v in G.versions(settings, RID)] == [True]
    with pytest.raises(ReleaseError, match="cannot restore .*withdrawn"):
        G.restore(settings, RID, "x")
    with pytest.raises(ReleaseError, match="reason is required"):
        G.withdraw(settings, RID, " ")
    # each change of status is an audit event, written with it; refusals change nothing
    from jutong.governance.audit import events

    trail = [(e.action, e.actor) for e in events(settings, subject=f"release:{RID}")]
    assert trail[0] == ("release.suspend", "staff") and trail[1] == ("release.restore", "reviewer")
    assert [a for a, _ in trail] == ["release.suspend", "release.restore", "release.withdraw"]

    v2 = _build(settings, tmp_path, 2)  # reopen after processing
    assert G.serve_path(settings, RID) == v2 / "data.csv"
    with pytest.raises(G.ReleaseNotServed, match="version 1 is not served"):
        G.serve_path(settings, RID, version=1)
    actions = [(e["action"], e["version"]) for e in G.events(settings, RID)]
    assert actions == [
        ("publish", 1),
        ("suspend", 1),
        ("restore", 1),
        ("withdraw", 1),
        ("reopen", 2),
    ]
    assert G.recorded_ids(settings) == {RID}


def test_state_machine_imports_no_spark_or_presidio():
    import subprocess
    import sys

    code = (
        "import sys, jutong.governance.releases, jutong.catalog.releases; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('pyspark', 'presidio_analyzer', 'presidio_anonymizer', 'pyarrow', 'masking')]; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
