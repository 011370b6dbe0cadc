"""Fixtures of the opening tests: registered accounts, the actors, a release of a
conditional-open entry, and times in Beijing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from jutong.governance import releases
from jutong.governance.cases.actors import parse_actor
from jutong.governance.db import dispose_all
from jutong.governance.opening.accounts import register_account
from jutong.workdays import CHINA_TZ

PUB = parse_actor("张三:public@zhangsan")
ORG = parse_actor("李经理:public@nanning_geo")
CENTRE = parse_actor("刘审查:bureau_reviewer@xinxi")
PROV = parse_actor("陈科长:provider_staff@ziranziyuan")
BUREAU = parse_actor("王审批:bureau_reviewer@dashuju")
STAFF = parse_actor("赵开放:open_data_staff@dashuju")
PARCELS = "ziranziyuan.zongdi"  # 有条件开放 in the catalog
PARCEL_RELEASE = "parcels_by_use"

RELEASE_YAML = f"""id: {PARCEL_RELEASE}
title: 宗地（按用途）
catalog_entry: {PARCELS}
source: {{zone: base, table: spatial}}
kind: records
open_type: conditional
open_conditions: 权利人为自然人的不开放名称和证件号码。
columns:
  - {{name: parcel_code}}
  - {{name: land_use}}
"""


def at(day: str, hour: int = 10, minute: int = 0) -> dt.datetime:
    d = dt.date.fromisoformat(day)
    return dt.datetime(d.year, d.month, d.day, hour, minute, tzinfo=CHINA_TZ)


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    dispose_all()


@pytest.fixture()
def accounts(settings):
    register_account(settings, "zhangsan", kind="person", name="张三", at=at("2026-09-01"))
    register_account(
        settings,
        "nanning_geo",
        kind="organisation",
        name="某地理信息有限公司",
        uscc_code="91350100M000100Y43",
        at=at("2026-09-01"),
    )
    return settings


def publish_release(settings, release_id: str, when: dt.datetime, version: int = 1) -> None:
    """Record a built version of a release (the build itself is masking's business)."""
    prev = releases.status(settings, release_id)
    releases.record_build(
        settings,
        release_id,
        version=version,
        path=Path(settings.lake_root) / "releases" / release_id / f"v{version}",
        rows=3,
        data_sha256="0" * 64,
        built_at=when.astimezone(dt.UTC).replace(tzinfo=None),
        actor="builder",
        as_of=when.date(),
        previous=prev,
    )


@pytest.fixture()
def parcel_release(settings):
    folder = Path(settings.catalog_dir) / "releases"
    (folder / f"{PARCEL_RELEASE}.yaml").write_text(RELEASE_YAML, encoding="utf-8")
    publish_release(settings, PARCEL_RELEASE, at("2026-09-01"))
    return PARCEL_RELEASE
