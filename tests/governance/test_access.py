"""Roles and scopes from catalog/roles.yaml: a department sees only its own records, every
denial is audited (LZ-Rules art. 31)."""

from __future__ import annotations

import pytest

from jutong.cli import main
from jutong.governance.access import (
    PolicyError,
    allowed,
    authorize,
    load_policies,
    visible_departments,
)
from jutong.governance.audit import events
from jutong.governance.cases.actors import parse_actor
from jutong.governance.cases.model import PermissionDenied
from jutong.governance.db import dispose_all
from jutong.governance.sharing.requests import request_share

RENSHE = parse_actor("陈科员:requester_staff@renshe")
MINZHENG = parse_actor("李科员:requester_staff@minzheng")
GONGAN = parse_actor("张警官:provider_staff@gongan")
AUDITOR = parse_actor("审计员:auditor@dashuju")


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    dispose_all()


def test_policies_and_scopes(settings):
    pol = load_policies(settings.catalog_dir)
    assert allowed(pol, GONGAN, "raw.read", ["gongan"])
    assert not allowed(pol, GONGAN, "raw.read", ["minzheng"])  # never another's raw zone
    assert not allowed(pol, RENSHE, "raw.read", ["renshe"])  # a requester has no raw access
    assert allowed(pol, AUDITOR, "audit.export", [])
    assert not allowed(pol, MINZHENG, "audit.read", [])
    assert visible_departments(pol, MINZHENG, "share.read") == {"minzheng"}
    assert visible_departments(pol, AUDITOR, "share.read") is None


def test_denial_is_audited(settings):
    with pytest.raises(PermissionDenied, match="only gongan's records"):
        authorize(settings, GONGAN, "raw.read", departments=["minzheng"], subject="raw:minzheng")
    [ev] = list(events(settings, action="access.denied"))
    assert (ev.actor, ev.subject, ev.data["permission"]) == ("张警官", "raw:minzheng", "raw.read")


def test_bad_policy_file_is_named(settings):
    (settings.catalog_dir / "roles.yaml").write_text("roles:\n  boss: {scope: all}\n")
    with pytest.raises(PolicyError, match="roles.boss: unknown role"):
        load_policies(settings.catalog_dir)


def test_a_department_cannot_open_another_departments_requests(settings, capsys):
    ref = request_share(
        settings, actor=MINZHENG, resource="gongan.huji", items=["姓名"], purpose="核查"
    ).ref
    request_share(settings, actor=RENSHE, resource="gongan.huji", items=["姓名"], purpose="核查")
    assert main(["share", "show", ref, "--as", str(RENSHE)]) == 1
    assert "permission denied" in capsys.readouterr().err
    assert main(["share", "show", ref, "--as", str(GONGAN)]) == 0  # the provider may
    capsys.readouterr()
    assert main(["share", "list", "--as", str(RENSHE)]) == 0
    out = capsys.readouterr().out
    assert "renshe" in out and "minzheng" not in out
    assert main(["share", "list", "--department", "minzheng", "--as", str(RENSHE)]) == 1
    assert main(["share", "list", "--as", str(AUDITOR)]) == 0
    assert "minzheng" in capsys.readouterr().out
    denied = [e.subject for e in events(settings, action="access.denied")]
    assert denied == [ref, "share list"]


def test_audit_log_is_for_auditors(settings, capsys):
    assert main(["audit", "list", "--as", str(MINZHENG)]) == 1
    assert "no 'audit.read' permission" in capsys.readouterr().err
    assert main(["audit", "list", "--as", str(AUDITOR)]) == 0
    assert "access.denied" in capsys.readouterr().out  # the denial just above, audited
