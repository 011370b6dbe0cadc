"""Masking policies from the catalog: PII class × sensitivity × audience (share | open)."""

import datetime as dt

import pyarrow as pa
import pytest

from jutong.catalog import load_catalog
from masking.policies import (
    Action,
    ColumnPolicy,
    PolicyError,
    apply_policies,
    check_override,
    infer_pii,
    item_for_column,
    policies_for_file,
    policies_for_table,
    policy_for_item,
)


@pytest.fixture(scope="module")
def catalog(repo_root):
    return load_catalog(repo_root / "catalog")


def pol(catalog, entry_id, item, audience):
    e = catalog.get(entry_id)
    return policy_for_item(e.item(item), audience, entry=e)


@pytest.mark.parametrize(
    ("entry", "item", "share", "open_"),
    [
        ("gongan.huji", "id_number", (Action.mask, "resident_id"), (Action.drop, None)),
        ("gongan.huji", "name", (Action.mask, "person_name"), (Action.drop, None)),
        ("gongan.huji", "birth_date", (Action.birth_year, None), (Action.birth_5y_band, None)),
        (
            "gongan.huji",
            "domicile_address",
            (Action.address_to_county, None),
            (Action.address_to_county, None),
        ),
        ("gongan.huji", "sex", (Action.keep, None), (Action.keep, None)),
        ("renshe.shebao", "mobile", (Action.mask, "mobile"), (Action.drop, None)),
        ("renshe.shebao", "monthly_base", (Action.keep, None), (Action.drop, None)),
        ("shichang.qiye", "legal_rep_name", (Action.keep, None), (Action.mask, "person_name")),
        ("shichang.qiye", "legal_rep_id_number", (Action.mask, "resident_id"), (Action.drop, None)),
        ("shichang.qiye", "uscc", (Action.keep, None), (Action.mask, "uscc_individual")),
        (
            "shichang.qiye",
            "registration_no",
            (Action.keep, None),
            (Action.mask, "uscc_individual"),
        ),
    ],
)
def test_policy_matrix(catalog, entry, item, share, open_):
    s = pol(catalog, entry, item, "share")
    o = pol(catalog, entry, item, "open")
    assert (s.action, s.mask) == share
    assert (o.action, o.mask) == open_
    assert s.reason and o.reason


def test_quasi_identifiers_are_flagged_for_open(catalog):
    assert pol(catalog, "gongan.huji", "birth_date", "open").quasi_identifier
    assert pol(catalog, "gongan.huji", "sex", "open").quasi_identifier
    assert not pol(catalog, "gongan.huji", "sex", "share").quasi_identifier


def test_base_columns_map_through_golden_field(catalog):
    e, item = item_for_column(catalog, "population", "resident_id")
    assert (e.id, item.name) == ("gongan.huji", "id_number")
    e, item = item_for_column(catalog, "legal_entity", "legal_rep_name")
    assert e.id == "shichang.qiye"
    pols = policies_for_table(
        catalog, "population", ["person_id", "resident_id", "name", "_built_at"], "open"
    )
    assert [p.action for p in pols] == [Action.drop] * 4
    with pytest.raises(PolicyError, match="'mystery'.*no catalog item"):
        policies_for_table(catalog, "population", ["mystery"], "open")


def test_a_direct_identifier_cannot_be_opened_by_override():
    p = ColumnPolicy("mobile", Action.mask, mask="mobile", pii="mobile", reason="x")
    with pytest.raises(PolicyError, match="direct identifier"):
        check_override(p, "open")
    assert check_override(p, "share") is p


def holders() -> pa.Table:
    return pa.table(
        {
            "holder_name": ["黄伟强", "南宁市某某商贸有限公司", "欧阳娜娜"],
            "holder_id_type": ["居民身份证", "统一社会信用代码", "居民身份证"],
            "holder_id": ["45010219900101123X", "91450100MA5K000001", "450102198001011234"],
            "parcel_code": ["A", "B", "C"],
        }
    )


@pytest.mark.parametrize("entry_id", ["ziranziyuan.zongdi", "shenpi.xuke"])
def test_holder_columns_are_masked_row_by_row(catalog, entry_id):
    e = catalog.get(entry_id)
    t = holders()
    t = t.drop_columns(["parcel_code"])
    share = [policy_for_item(e.item(c), "share", entry=e) for c in t.column_names]
    out = apply_policies(t, share).table
    assert out.column("holder_name").to_pylist() == ["黄**", "南宁市某某商贸有限公司", "欧阳**"]
    assert out.column("holder_id").to_pylist() == [
        "4****************X",
        "91450100MA5K000001",
        "4****************4",
    ]
    opened = [policy_for_item(e.item(c), "open", entry=e) for c in t.column_names]
    out = apply_policies(t, opened).table
    assert out.column("holder_id").to_pylist() == [None, "91450100MA5K000001", None]
    assert out.column("holder_name").to_pylist()[1] == "南宁市某某商贸有限公司"
    assert "黄伟强" not in out.column("holder_name").to_pylist()


def test_apply_reports_changes_and_drops(catalog):
    e = catalog.get("gongan.huji")
    t = pa.table(
        {
            "id_number": ["45010219900101123X"],
            "name": ["黄伟"],
            "birth_date": [dt.date(1990, 1, 1)],
        }
    )
    res = apply_policies(t, [policy_for_item(e.item(c), "open", entry=e) for c in t.column_names])
    assert res.table.column_names == ["birth_date"]
    assert res.table.column("birth_date").to_pylist() == ["1990-1994"]
    assert res.dropped == ["id_number", "name"]
    assert res.changed["birth_date"] == 1


def test_pseudonym_policy_needs_a_key():
    p = ColumnPolicy("id", Action.pseudonym, pii="resident_id")
    t = pa.table({"id": ["45010219900101123X"]})
    with pytest.raises(PolicyError, match="key"):
        apply_policies(t, [p])
    out = apply_policies(t, [p], key=b"k" * 32)
    assert out.table.column("id").to_pylist()[0] != "45010219900101123X"
    assert out.key_fingerprint and len(out.key_fingerprint) == 12


def test_type_inference_by_values_and_header():
    from jutong.identifiers.checkdigits import resident_id_check

    ids = pa.array([b + resident_id_check(b) for b in ("45010219900101123", "45010219800101123")])
    assert infer_pii("col1", ids).value == "resident_id"
    assert infer_pii("c", pa.array(["13800138000", "+86 139 0013 8000"])).value == "mobile"
    assert infer_pii("c", pa.array(["14457769152", "16906044319"])).value == "mobile"
    landlines = pa.array(["021-8693044", "(0771)5551234", "0771-5551234转801"])
    assert infer_pii("c", landlines).value == "landline"
    assert infer_pii("c", pa.array(["6222021234567890128"])) is not None
    assert infer_pii("联系地址", pa.array(["民主路1号"])).value == "address"
    assert infer_pii("备注", pa.array(["无", "好"])) is None


def test_phone_columns_are_masked_under_share_and_dropped_under_open():
    t = pa.table({"办公电话": ["021-8693044", "0771-5551234"], "c": ["14457769152", None]})
    shared = apply_policies(t, policies_for_file(t, "share", catalog=None))
    assert shared.table.column("办公电话").to_pylist() == ["021-*****44", "0771-*****34"]
    assert shared.table.column("c").to_pylist() == ["144****9152", None]
    opened = apply_policies(t, policies_for_file(t, "open", catalog=None))
    assert opened.table.column_names == []


def test_individual_business_codes_are_personal_data(catalog):
    from jutong.identifiers.checkdigits import orgcode_check, uscc_check

    def code(prefix8, org8):
        body = prefix8 + org8 + orgcode_check(org8)
        return body + uscc_check(body)

    company, shop = code("91450100", "MA5K0000"), code("92450102", "MA5K0001")
    o = pol(catalog, "shichang.qiye", "uscc", "open")
    assert o.holds == "uscc"
    t = pa.table({"uscc": [company, shop, None]})
    out = apply_policies(t, [o]).table.column("uscc").to_pylist()
    assert out == [company, "92" + "*" * 15 + shop[-1], None]
    # a holder column of persons and organisations: an individual business is a person
    from masking import columns as C

    assert C.person_rows(pa.array([company, shop])).to_pylist() == [False, True]
    types = pa.array(["统一社会信用代码", "统一社会信用代码"])
    assert C.person_rows(pa.array([company, shop]), types).to_pylist() == [False, True]


def test_policies_for_file_free_text_and_errors(catalog):
    t = pa.table({"姓名": ["黄伟"], "说明": ["无"]})
    pols = policies_for_file(t, "open", catalog=catalog, free_text=["说明"])
    assert [p.action for p in pols] == [Action.drop, Action.redact_text]
    with pytest.raises(PolicyError, match="--free-text: no column 'nope'"):
        policies_for_file(t, "open", catalog=catalog, free_text=["nope"])
