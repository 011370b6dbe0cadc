"""The residual PII scan: what each column holds decides what is a finding."""

from __future__ import annotations

import pyarrow as pa

from jutong.identifiers.checkdigits import orgcode_check, regno_check, resident_id_check, uscc_check
from masking.release.residual import INDIVIDUAL_BUSINESS, residual_scan


def _uscc(prefix8: str, org8: str) -> str:
    body = prefix8 + org8 + orgcode_check(org8)
    return body + uscc_check(body)


# a legacy-ID look-alike (known county, real date) that is a valid registration number
REGNO = "45010285120307" + regno_check("45010285120307")
ID18 = "45010219900101123" + resident_id_check("45010219900101123")
COMPANY = _uscc("91450100", "MA5K0000")
SHOP = _uscc("92450102", "MA5K0001")


def _entities(findings):
    return [(f["column"], f["row"], f["entity"]) for f in findings]


def test_a_registration_number_column_is_not_a_finding():
    t = pa.table({"registration_no": [REGNO, None, ID18]})
    # unknown column: the 15 digits are not taken for a legacy ID (their own check passes),
    # the 18-digit ID is a finding wherever it is
    assert _entities(residual_scan(t)) == [("registration_no", 3, "CN_RESIDENT_ID")]
    # the catalog says what the column holds: still only the ID typed into it
    got = residual_scan(t, {"registration_no": "uscc"})
    assert _entities(got) == [("registration_no", 3, "CN_RESIDENT_ID")]


def test_individual_business_codes_are_findings():
    t = pa.table({"uscc": [COMPANY, SHOP], "备注": ["无", f"个体户信用代码{SHOP}"]})
    got = _entities(residual_scan(t, {"uscc": "uscc"}))
    assert got == [("uscc", 2, INDIVIDUAL_BUSINESS), ("备注", 2, INDIVIDUAL_BUSINESS)]
    assert _entities(residual_scan(pa.table({"uscc": [COMPANY]}), {"uscc": "uscc"})) == []


def test_free_text_and_unknown_columns_are_scanned_fully():
    t = pa.table({"说明": ["联系人手机16012345678", "订单号 4501021990010112345"]})
    assert _entities(residual_scan(t)) == [("说明", 1, "CN_MOBILE")]
