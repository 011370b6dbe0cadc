"""A conditional-open request from request to rating (GX-Open art. 20): the agreement accepted
with time and identity, delivery by API key (scoped, revocable, checked), the quality check
window, the rating reaching the department evaluation; illegal steps refused."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from jutong.governance.audit import events, verify
from jutong.governance.cases.actors import parse_actor
from jutong.governance.cases.model import CaseError, PermissionDenied
from jutong.governance.cases.queries import get_case
from jutong.governance.db import engine
from jutong.governance.evaluation import evaluate_departments
from jutong.governance.opening import keys
from jutong.governance.opening.agreements import accept, acceptances, agreement_text
from jutong.governance.opening.deliveries import check_download, deliver, revoke_case
from jutong.governance.opening.ratings import rate
from jutong.governance.opening.requests import act, request_open
from jutong.governance.schema import open_api_keys

from .conftest import BUREAU, CENTRE, PARCELS, PROV, PUB, at

pytestmark = pytest.mark.postgres  # SQLite and PostgreSQL (tests/conftest.py)

D = dt.date
SCORES = {
    "conformity": 5,
    "completeness": 4,
    "accuracy": 4,
    "consistency": 5,
    "timeliness": 3,
    "usability": 5,
}


def _approved(settings, day="2026-11-02"):
    case = request_open(
        settings,
        actor=PUB,
        resource=PARCELS,
        items=["parcel_code", "land_use"],
        purpose="城市规划研究",
        until=D(2026, 12, 31),
        at=at(day),
    )
    act(settings, case.ref, "pass", actor=CENTRE, at=at("2026-11-03"))
    act(settings, case.ref, "approve", actor=PROV, at=at("2026-11-04"))
    return act(settings, case.ref, "approve", actor=BUREAU, at=at("2026-11-05"))


def test_agreement_delivery_key_doubt_and_rating(accounts, parcel_release):
    settings = accounts
    case = _approved(settings)
    assert case.state == "agreement"
    # no delivery before the agreement is accepted (GX-Open art. 20(5))
    with pytest.raises(CaseError, match="'deliver' is not allowed while the case is agreement"):
        deliver(settings, case.ref, actor=PROV, method="api")
    text = agreement_text(settings)
    assert text.version == "data_use_v1" and "不得转让" in text.text
    with pytest.raises(CaseError, match="not the one in force"):
        accept(settings, case.ref, actor=PUB, version="data_use_v0")
    with pytest.raises(CaseError, match="differs"):
        accept(settings, case.ref, actor=PUB, version=text.version, sha256="0" * 64)
    agreed = accept(
        settings,
        case.ref,
        actor=PUB,
        version=text.version,
        sha256=text.sha256,
        at=at("2026-11-06", 9, 30),
    )
    assert agreed.state == "agreed"
    (row,) = acceptances(settings, _seq(settings, case.ref))
    assert (row["version"], row["text_sha256"], row["account"]) == (
        "data_use_v1",
        text.sha256,
        "zhangsan",
    )
    assert row["accepted_by"] == "张三:public@zhangsan"
    assert row["accepted_at"] == dt.datetime(2026, 11, 6, 1, 30)

    done = deliver(
        settings,
        case.ref,
        actor=PROV,
        method="api",
        release_id=parcel_release,
        at=at("2026-11-09"),
    )
    assert done.case.state == "delivered" and done.token.startswith("jtk_")
    assert (done.valid_from, done.valid_until) == (D(2026, 11, 9), D(2026, 12, 31))
    # stored hashed: the secret is nowhere in the database
    with engine(settings).connect() as conn:
        stored = conn.execute(sa.select(open_api_keys)).mappings().one()
    assert done.token.split("_", 2)[2] not in str(dict(stored))

    ok = keys.check_key(settings, done.token, dataset=PARCELS, at=at("2026-11-10"))
    assert (ok.status, ok.account, ok.case_ref) == (200, "zhangsan", case.ref)
    assert keys.check_key(settings, done.token, dataset=parcel_release, at=at("2026-11-10")).ok
    wrong = keys.check_key(settings, done.token, dataset="shichang.qiye", at=at("2026-11-10"))
    assert wrong.status == 403 and "approved dataset only" in wrong.reason
    late = keys.check_key(settings, done.token, at=at("2027-01-01"))
    assert late.status == 403 and "approved period only" in late.reason
    assert keys.check_key(settings, done.token[:-2] + "xx").status == 401
    assert keys.check_key(settings, "not-a-key").status == 401
    assert check_download(settings, "zhangsan", PARCELS, at=at("2026-11-10")).status == 403

    # quality check: doubts within 2 wd of delivery (GX-Open art. 20(6)), answered within 3 wd
    doubt = act(
        settings, case.ref, "doubt", actor=PUB, reason="部分宗地代码缺失", at=at("2026-11-11")
    )
    assert doubt.state == "doubt"
    checked = act(settings, case.ref, "answer", actor=PROV, reason="已补齐", at=at("2026-11-13"))
    assert checked.state == "checked"

    # the rating of the six dimensions (GX-Open art. 20(7)) reaches the evaluation
    with pytest.raises(PermissionDenied, match="rated by its requester"):
        rate(settings, case.ref, actor=PROV, scores=SCORES)
    with pytest.raises(CaseError, match="missing: usability"):
        rate(settings, case.ref, actor=PUB, scores={k: 3 for k in list(SCORES)[:5]})
    with pytest.raises(CaseError, match="whole numbers 1–5"):
        rate(settings, case.ref, actor=PUB, scores={**SCORES, "accuracy": 6})
    rate(settings, case.ref, actor=PUB, scores=SCORES, comment="好用", at=at("2026-11-16"))
    with pytest.raises(CaseError, match="already rated"):
        rate(settings, case.ref, actor=PUB, scores=SCORES)
    scores = {s.department: s for s in evaluate_departments(settings, as_of=D(2026, 11, 20))}
    z = scores["ziranziyuan"]
    assert z.ratings == 1 and z.rating_mean == pytest.approx(26 / 6, abs=0.01)
    assert z.rating_dimensions["timeliness"] == 3
    # the information centre's review counts for the centre, not the bureau
    assert scores["xinxi"].steps_met == 1 and "zhangsan" not in scores

    # revoking the key: only its account, the provider or the bureau admin
    with pytest.raises(PermissionDenied):
        keys.revoke(
            settings, ok.key_id, actor=parse_actor("x:requester_staff@minzheng"), reason="x"
        )
    keys.revoke(settings, ok.key_id, actor=PUB, reason="密钥泄露", at=at("2026-11-17"))
    gone = keys.check_key(settings, done.token, at=at("2026-11-18"))
    assert gone.status == 403 and "密钥泄露" in gone.reason

    actions = [e.action.split(".", 1)[1] for e in events(settings, subject=case.ref)]
    assert actions == [
        "open",
        "pass",
        "approve",
        "approve",
        "agree",
        "deliver",
        "doubt",
        "answer",
        "rate",
    ]
    assert verify(settings).ok


def _seq(settings, ref):
    from jutong.governance.schema import cases

    with engine(settings).connect() as conn:
        return conn.execute(sa.select(cases.c.seq).where(cases.c.ref == ref)).scalar_one()


def test_doubt_after_two_working_days_is_refused(accounts):
    settings = accounts
    case = _approved(settings)
    accept(settings, case.ref, actor=PUB, version="data_use_v1", at=at("2026-11-06"))
    deliver(settings, case.ref, actor=PROV, method="download", at=at("2026-11-06", 15))
    assert check_download(settings, "zhangsan", PARCELS, at=at("2026-11-07")).ok
    # delivered Fri 11-06: doubts until Tue 11-10 (2 wd)
    with pytest.raises(CaseError, match=r"only within 2 working days .* until 2026-11-10"):
        act(settings, case.ref, "doubt", actor=PUB, reason="有误", at=at("2026-11-11"))


def test_revoking_the_case_revokes_its_keys(accounts):
    settings = accounts
    case = _approved(settings)
    accept(settings, case.ref, actor=PUB, version="data_use_v1", at=at("2026-11-06"))
    done = deliver(settings, case.ref, actor=PROV, method="api", at=at("2026-11-06"))
    with pytest.raises(CaseError, match="legal basis"):
        revoke_case(settings, case.ref, actor=PROV, basis=None, reason="不再提供")
    revoke_case(
        settings, case.ref, actor=PROV, basis="《数据安全法》第二十一条", at=at("2026-11-09")
    )
    assert get_case(settings, case.ref).state == "revoked"
    check = keys.check_key(settings, done.token, at=at("2026-11-10"))
    assert check.status == 403 and "revoked" in check.reason


def test_refusals_and_illegal_steps(accounts):
    settings = accounts
    case = request_open(
        settings,
        actor=PUB,
        resource=PARCELS,
        items=["parcel_code"],
        purpose="研究",
        until=D(2026, 12, 31),
        at=at("2026-11-02"),
    )
    # the centre reviews, not the provider nor the bureau's department
    with pytest.raises(PermissionDenied, match="for the centre"):
        act(settings, case.ref, "pass", actor=PROV)
    with pytest.raises(PermissionDenied):
        act(settings, case.ref, "pass", actor=BUREAU)
    act(settings, case.ref, "pass", actor=CENTRE, at=at("2026-11-03"))
    # no refusal without its basis (GX-Open art. 20(3): 无正当理由和依据不得拒绝)
    with pytest.raises(CaseError, match="legal basis"):
        act(settings, case.ref, "refuse", actor=PROV, reason="不想提供")
    with pytest.raises(CaseError, match="paper application"):
        act(settings, case.ref, "refuse", actor=PROV, basis="请提交纸质申请")
    act(settings, case.ref, "refuse", actor=PROV, basis="《测绘法》第三十四条", at=at("2026-11-04"))
    # the bureau overrules an unfounded refusal: back to the provider, new clock
    back = act(
        settings, case.ref, "overrule", actor=BUREAU, reason="依据不充分", at=at("2026-11-05")
    )
    assert back.state == "provider_review"
    with pytest.raises(CaseError, match="'agree' is not allowed"):
        accept(settings, case.ref, actor=PUB, version="data_use_v1")
    act(settings, case.ref, "refuse", actor=PROV, basis="《测绘法》第三十四条", at=at("2026-11-06"))
    final = act(settings, case.ref, "approve", actor=BUREAU, at=at("2026-11-09"))
    assert final.state == "refused" and final.closed
    with pytest.raises(CaseError, match="closed"):
        act(settings, case.ref, "pass", actor=CENTRE)


def test_who_may_request_what(settings, accounts):
    kw = dict(items=["parcel_code"], purpose="研究", until=D(2026, 12, 31), at=at("2026-11-02"))
    with pytest.raises(CaseError, match="not by department staff"):
        request_open(settings, actor=PROV, resource=PARCELS, **kw)
    with pytest.raises(CaseError, match="not registered"):
        request_open(settings, actor=parse_actor("王五:public@wangwu"), resource=PARCELS, **kw)
    with pytest.raises(CaseError, match="无条件开放"):
        request_open(settings, actor=PUB, resource="shichang.qiye", **kw)
    with pytest.raises(CaseError, match="不予开放"):
        request_open(settings, actor=PUB, resource="gongan.huji", **kw)
    with pytest.raises(CaseError, match="purpose"):
        request_open(settings, actor=PUB, resource=PARCELS, **{**kw, "purpose": " "})
    with pytest.raises(CaseError, match="no data item"):
        request_open(settings, actor=PUB, resource=PARCELS, **{**kw, "items": ["nope"]})
    # an account cannot take a department's id, nor a department act as public
    from jutong.catalog.loader import load_catalog
    from jutong.governance.cases.actors import ActorError

    with pytest.raises(ActorError, match="is a department"):
        parse_actor("x:public@gongan", load_catalog(settings.catalog_dir).departments)


def test_accounts_are_checked(settings):
    from jutong.governance.opening.accounts import get_account, register_account

    with pytest.raises(CaseError, match="is a department's id"):
        register_account(settings, "gongan", kind="person", name="冒充")
    with pytest.raises(CaseError, match="unified social credit code"):
        register_account(settings, "acme", kind="organisation", name="某公司", uscc_code="123")
    with pytest.raises(CaseError, match="account kind"):
        register_account(settings, "acme", kind="robot", name="某公司")
    a = register_account(
        settings, "acme", kind="organisation", name="某公司", uscc_code="91350100m000100y43"
    )
    assert a.uscc == "91350100M000100Y43" and get_account(settings, "acme").kind == "organisation"
    with pytest.raises(CaseError, match="already exists"):
        register_account(settings, "acme", kind="person", name="又一个")
    events_ = [e.action for e in events(settings, subject="account:acme")]
    assert events_ == ["account.register"]


def test_a_stale_version_is_refused_and_nothing_changes(accounts):
    from jutong.governance.cases.model import StaleVersion

    settings = accounts
    case = _approved(settings)
    with pytest.raises(StaleVersion):
        accept(
            settings, case.ref, actor=PUB, version="data_use_v1", expected_version=case.version - 1
        )
    assert get_case(settings, case.ref).state == "agreement"
    assert acceptances(settings, _seq(settings, case.ref)) == []
    agreed = accept(
        settings, case.ref, actor=PUB, version="data_use_v1", expected_version=case.version
    )
    assert agreed.version == case.version + 1


def test_a_service_user_may_hold_the_public_role_on_its_account():
    from jutong.governance.users.store import UserError, parse_grant

    departments = {"gongan": {}, "dashuju": {}}
    grant = parse_grant("public@zhangsan", departments)
    assert (grant.role.value, grant.department) == ("public", "zhangsan")
    with pytest.raises(UserError, match="never on a department"):
        parse_grant("public@gongan", departments)
    with pytest.raises(UserError, match="not in catalog/departments.yaml"):
        parse_grant("provider_staff@zhangsan", departments)
