"""The jurisdiction's opening settings (``catalog/jurisdiction.yaml`` ``opening:``).

- ``information_centre``: the department doing the normative review of conditional-open
  requests (GX-Open art. 20(2): 自治区信息中心); default: the bureau.
- ``catalog_update``: ``gx_open`` (GX-Open art. 15: 10 wd), ``gx_dispatch`` (GX-Dispatch art.
  39: 15 wd) or ``liuzhou`` (LZ-Rules art. 14: 10 wd); default ``liuzhou`` in Liuzhou, else
  ``gx_open``.
- ``offline``: ``region`` (GX-Dispatch art. 21–22, 27) or ``liuzhou`` (LZ-Rules art. 20–21);
  default ``liuzhou`` in Liuzhou, else ``region``.
- ``agreement``: the data-use agreement text in force (``catalog/agreements/<version>.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

from jutong.catalog.loader import Catalog
from jutong.governance.cases.model import CaseError
from jutong.governance.cases.opening_rules import CATALOG_UPDATE
from jutong.governance.sharing.requests import LIUZHOU, bureau_department

KEYS = {"information_centre", "catalog_update", "offline", "agreement"}
OFFLINE = ("region", "liuzhou")


@dataclass(frozen=True)
class OpeningSettings:
    bureau: str
    centre: str
    catalog_update: str  # a key of CATALOG_UPDATE
    offline: str  # region | liuzhou
    agreement: str

    @property
    def catalog_update_flow(self) -> str:
        return CATALOG_UPDATE[self.catalog_update][0]

    @property
    def catalog_offline_flow(self) -> str:
        return "catalog_offline_liuzhou" if self.offline == "liuzhou" else "catalog_offline"

    @property
    def data_offline_flow(self) -> str:
        return "data_offline_liuzhou" if self.offline == "liuzhou" else "data_offline"


def opening_settings(catalog: Catalog) -> OpeningSettings:
    where = "catalog/jurisdiction.yaml: opening"
    juris = catalog.jurisdiction or {}
    conf = juris.get("opening") or {}
    if not isinstance(conf, dict):
        raise CaseError(f"{where}: expected a mapping, got {conf!r}")
    unknown = sorted(set(conf) - KEYS)
    if unknown:
        raise CaseError(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(KEYS)})")
    bureau = bureau_department(catalog)
    centre = conf.get("information_centre") or bureau
    if centre not in catalog.departments:
        raise CaseError(
            f"{where}.information_centre: '{centre}' is not in catalog/departments.yaml"
        )
    liuzhou = str((juris.get("jurisdiction") or {}).get("division_code", "")).startswith(
        LIUZHOU[:4]
    )
    update = conf.get("catalog_update") or ("liuzhou" if liuzhou else "gx_open")
    if update not in CATALOG_UPDATE:
        raise CaseError(
            f"{where}.catalog_update: '{update}' is not one of {', '.join(CATALOG_UPDATE)} "
            "(GX-Open art. 15: 10 wd; GX-Dispatch art. 39: 15 wd; LZ-Rules art. 14: 10 wd)"
        )
    offline = conf.get("offline") or ("liuzhou" if liuzhou else "region")
    if offline not in OFFLINE:
        raise CaseError(f"{where}.offline: '{offline}' is not one of {', '.join(OFFLINE)}")
    agreement = str(conf.get("agreement") or "data_use_v1")
    return OpeningSettings(bureau, centre, update, offline, agreement)
