"""The PII class of a column no catalog item describes: from its values (checked shapes) first,
then from its header; and the catalog-like item such a column is treated as."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from jutong.catalog.model import DataItem, MaskingRule, PiiClass
from jutong.text.layout import compact
from jutong.text.luhn import luhn_ok
from jutong.text.phones import EXTENSION_RE, INTERNATIONAL_MOBILE_RE, is_landline
from masking import columns as C

_HEADER_HINTS: tuple[tuple[str, PiiClass], ...] = (
    (r"身份证|证件号|公民身份号码|id_?number|resident_?id|sfzh", PiiClass.resident_id),
    (r"银行卡|卡号|bank_?card|card_?no", PiiClass.bank_card),
    (r"手机|移动电话|mobile|cell", PiiClass.mobile),
    (r"邮箱|e-?mail", PiiClass.email),
    (r"护照|passport", PiiClass.passport),
    (r"车牌|plate", PiiClass.vehicle_plate),
    (r"出生|birth", PiiClass.birth_date),
    (r"地址|住址|住所|address|addr", PiiClass.address),
    (r"^(姓名|名字|联系人|name|xm|person_name)$", PiiClass.person_name),
    (r"电话|phone|tel|lxdh", PiiClass.mobile),
    (r"性别|^sex$|^gender$", PiiClass.sex),
    (r"民族|ethnicity", PiiClass.ethnicity),
)


def _sample(arr: pa.Array, n: int = 2000) -> list[str]:
    arr = C.as_strings(arr).drop_null()
    arr = pc.utf8_trim_whitespace(arr)
    arr = arr.filter(pc.greater(pc.utf8_length(arr), 0))
    return arr.slice(0, n).to_pylist()


def _landline_value(s: str) -> bool:
    """A landline with its area code (parentheses, an extension allowed)."""
    s = re.sub(r"[(（)）]", "", s)
    m = EXTENSION_RE.search(s)
    if m and m.end() == len(s):
        s = s[: m.start()]
    return s.isdigit() and is_landline(s)


def infer_pii(name: str, values: pa.Array, as_of: dt.date | None = None) -> PiiClass | None:
    """The PII class of an unknown column, from its values first, then its header.

    Values decide when at least half of a sample matches a checked shape (resident ID with
    its check digit, mobile, landline, bank card with Luhn, e-mail); the header decides otherwise."""
    from jutong.identifiers import is_valid_resident_id

    sample = _sample(values)
    as_of = as_of or dt.date.today()
    if sample:
        compacted = [compact(s) for s in sample]
        half = len(sample) / 2

        def share(test: Callable[[str], bool]) -> bool:
            return sum(1 for s in compacted if test(s)) >= half

        if share(lambda s: is_valid_resident_id(s, as_of)):
            return PiiClass.resident_id
        if share(lambda s: INTERNATIONAL_MOBILE_RE.fullmatch(s) is not None):
            return PiiClass.mobile
        if share(_landline_value):
            return PiiClass.landline
        if share(lambda s: 16 <= len(s) <= 19 and luhn_ok(s)):
            return PiiClass.bank_card
        if share(lambda s: re.fullmatch(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}", s) is not None):
            return PiiClass.email
    for pattern, pii in _HEADER_HINTS:
        if re.search(pattern, name, re.IGNORECASE):
            return pii
    return None


def inferred_item(name: str, pii: PiiClass) -> DataItem:
    sens = {
        PiiClass.resident_id: 4,
        PiiClass.bank_card: 4,
        PiiClass.passport: 4,
        PiiClass.sex: 2,
        PiiClass.ethnicity: 3,
    }.get(pii, 3)
    # share: the display mask of the class (a pseudonym needs a key and an explicit purpose)
    masking = {
        PiiClass.resident_id: MaskingRule.id_mask,
        PiiClass.person_name: MaskingRule.name_mask,
        PiiClass.mobile: MaskingRule.mobile_mask,
        PiiClass.bank_card: MaskingRule.bank_card_mask,
        PiiClass.address: MaskingRule.address_to_county,
        PiiClass.birth_date: MaskingRule.birth_year,
    }.get(pii)
    return DataItem(
        masking=masking,
        name=re.sub(r"[^a-z0-9_]", "_", name.lower()).strip("_") or "column",
        label=name,
        type="date" if pii is PiiClass.birth_date else "string",
        required=False,
        pii=pii,
        sensitivity=sens,
        identifier="resident_id" if pii is PiiClass.resident_id else "none",
    )
