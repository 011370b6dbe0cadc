"""Deliveries of the bureau's own base and theme resources (``catalog/shared/``, GX-Reg art.
23; GX-Dispatch art. 25–26): the bureau is the provider; a base column is masked by its
catalog item's share policy or the share list's explicit one, a mart column by its
``meta.masking``; the person id is pseudonymized with the request's own key; a mart column
without a usable policy refuses the delivery and nothing is published."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pyarrow as pa
import pytest

from jutong.catalog import load_catalog
from jutong.governance.audit import events, verify
from jutong.governance.cases.actors import parse_actor
from jutong.governance.cases.engine import fire
from jutong.governance.cases.model import CaseError
from jutong.governance.sharing.requests import request_share
from jutong.lake import Lake
from jutong.lineage.share_edges import share_edges
from jutong.themes.project import CHECKOUT_PROJECT
from masking.delivery import DeliveryError, deliver
from tests.masking.delivery.conftest import rid

MINZHENG = parse_actor("李科员:requester_staff@minzheng")
RENSHE = parse_actor("陈科员:requester_staff@renshe")
REVIEWER = parse_actor("王审核:bureau_reviewer@dashuju")
BUREAU_PROVIDER = parse_actor("赵处长:provider_staff@dashuju")


def _population(n: int = 5) -> pa.Table:
    return pa.table(
        {
            "person_id": [f"P{i:010d}" for i in range(n)],
            "resident_id": [rid(i) for i in range(n)],
            "name": [f"韦小{'宝明红'[i % 3]}" for i in range(n)],
            "sex": ["1", "2"] * (n // 2) + ["1"] * (n % 2),
            "birth_date": [dt.date(1990, 3, 7)] * n,
            "domicile_division": ["450102"] * n,
            "residence_division": ["450103"] * n,
            "marital_status": ["未婚"] * n,
            "mobile": ["13800138000"] * n,  # not on the share list
        }
    )


def _coverage() -> pa.Table:
    return pa.table(
        {
            "county_code": ["450102", "450103"],
            "county_name": ["兴宁区", "青秀区"],
            "age_band": ["30-39", "40-49"],
            "sex_code": ["1", "2"],
            "insurance_type": ["失业保险", "工伤保险"],
            "insured_persons": pa.array([12, 7], pa.int64()),
            "enrolments": pa.array([13, 7], pa.int64()),
        }
    )


@pytest.fixture()
def lake(settings) -> Lake:
    lake = Lake(settings)
    pop = _population()
    lake.ensure_table("base", "population", pop.schema).append(pop)
    cov = _coverage()
    lake.ensure_table("theme", "ss_insurance_coverage", cov.schema).append(cov)
    return lake


def _granted(settings, actor, resource, items) -> str:
    case = request_share(settings, actor=actor, resource=resource, items=items, purpose="核查")
    if case.state == "submitted":  # conditional: the bureau reviews, then decides as provider
        for ev, who in (("pass", REVIEWER), ("approve", BUREAU_PROVIDER), ("push", REVIEWER)):
            fire(settings, case.ref, ev, actor=who)
    fire(settings, case.ref, "subscribe", actor=actor)
    return case.ref


def test_base_population_is_delivered_by_the_bureau_masked(settings, lake):
    items = ["person_id", "姓名", "公民身份号码", "sex", "domicile_division"]
    ref = _granted(settings, MINZHENG, "base.population", items)
    case_events = [e.action for e in events(settings, subject=ref)]
    assert "share_request.pass" in case_events  # conditional: reviewed, not granted at once
    res = deliver(settings, ref)
    assert (res.rows, res.excluded_rows, res.kind) == (5, 0, "base")
    assert "bureau's base table" in res.summary()
    got = Lake(settings).table("share", ref.lower().replace("-", "_")).scan().to_arrow()
    assert sorted(got.column_names) == sorted(
        ["person_id", "name", "resident_id", "sex", "domicile_division"]
    )
    rows = got.to_pylist()
    assert all(not r["person_id"].startswith("P") for r in rows)  # keyed pseudonyms
    assert all("*" in r["name"] and "*" in r["resident_id"] for r in rows)  # catalog masks
    assert {r["domicile_division"] for r in rows} == {"450102"}  # explicit keep
    assert rid(0) not in json.dumps(rows, ensure_ascii=False)
    manifest = res.manifest
    assert manifest["provider"] == "dashuju" and manifest["resource_kind"] == "base"
    assert manifest["source"]["table"] == "base.population"
    assert manifest["masking"]["person_id"] == "person_id: pseudonym"
    [ev] = list(events(settings, action="share_request.deliver"))
    assert ev.department == "dashuju" and ev.data["source"]["table"] == "base.population"
    assert verify(settings).ok

    # a new snapshot of the base table (the next build): a new version, the same tokens
    assert deliver(settings, ref).unchanged
    Lake(settings).table("base", "population").append(_population(7).slice(5))
    again = deliver(settings, ref)
    assert (again.version, again.rows) == (2, 7)
    v2 = Lake(settings).table("share", ref.lower().replace("-", "_")).scan().to_arrow()
    assert {r["person_id"] for r in rows} < set(v2.column("person_id").to_pylist())

    # a second requester's tokens never join with the first one's
    ref2 = _granted(settings, RENSHE, "base.population", ["person_id"])
    deliver(settings, ref2)
    other = Lake(settings).table("share", ref2.lower().replace("-", "_")).scan().to_arrow()
    assert not set(other.column("person_id").to_pylist()) & {r["person_id"] for r in rows}

    # lineage: the delivered column goes back to the base table, with its policy
    edges = {
        e.target: e
        for e in share_edges(settings, Lake(settings), load_catalog(settings.catalog_dir))
    }
    name_edge = edges[f"share.{ref.lower().replace('-', '_')}.name"]
    assert name_edge.source == "base.population.name" and name_edge.transform == "masked"


def test_theme_mart_is_granted_at_once_and_shared_as_built(settings, lake):
    ref = _granted(
        settings, MINZHENG, "theme.ss_insurance_coverage", ["区县代码", "年龄段", "参保人数"]
    )
    res = deliver(settings, ref)
    assert (res.rows, res.kind) == (2, "theme")
    got = Lake(settings).table("share", ref.lower().replace("-", "_")).scan().to_arrow()
    assert got.column("age_band").to_pylist() == ["30-39", "40-49"]  # already a band: as built
    assert res.manifest["masking"]["age_band"] == "age_band: keep"
    assert deliver(settings, ref).unchanged  # same snapshot: nothing new


def test_mart_column_without_a_policy_refuses_and_publishes_nothing(settings, lake, tmp_path):
    project = settings.home / "dbt_project"
    shutil.copytree(CHECKOUT_PROJECT, project, ignore=shutil.ignore_patterns("target", "logs"))
    yml = project / "models" / "marts" / "social_security" / "_social_security.yml"
    text = yml.read_text(encoding="utf-8")
    # the mart's county code loses its masking policy
    yml.write_text(
        text.replace(
            "masking: address_to_county, masking_basis: 已为区县代码 / already a county code",
            "derived_note: none",
        ),
        encoding="utf-8",
    )
    ref = _granted(settings, MINZHENG, "theme.ss_insurance_coverage", ["county_code"])
    with pytest.raises(DeliveryError, match=r"county_code: reaches PII \(address\).*nothing"):
        deliver(settings, ref)
    assert not Lake(settings).table_exists("share", ref.lower().replace("-", "_"))
    assert not list(events(settings, action="share_request.deliver"))


def test_missing_table_and_unknown_resource_are_refused(settings):
    ref = _granted(settings, MINZHENG, "theme.ss_insurance_coverage", ["county_code"])
    with pytest.raises(DeliveryError, match="build the theme databases first"):
        deliver(settings, ref)
    with pytest.raises(CaseError, match="not on the share list.*jutong share resources"):
        request_share(settings, actor=MINZHENG, resource="theme.nope", items=["x"], purpose="核查")
    with pytest.raises(CaseError, match="own data"):  # the bureau asks for its own resource
        request_share(
            settings,
            actor=parse_actor("钱科员:requester_staff@dashuju"),
            resource="base.population",
            items=["sex"],
            purpose="核查",
        )
