"""Vectorized column masks: same output as the scalar reference masks, generalization,
keyed pseudonyms, person/organisation holder rows."""

import datetime as dt
import random

import pyarrow as pa
import pytest

from jutong.identifiers.checkdigits import resident_id_check, uscc_check
from jutong.reference import full_name, load_divisions
from jutong.reference.surnames import guangxi_weights
from masking import columns as C
from masking import formats as F

RNG = random.Random(20240601)
COUNTIES = sorted(c for c, d in load_divisions().items() if d.level == "county")[:80]


def resident_id(rng: random.Random) -> str:
    county = rng.choice(COUNTIES)
    body = f"{county}{rng.randint(1940, 2015)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body += f"{rng.randint(0, 999):03d}"
    return body + resident_id_check(body)


SINGLE = list(guangxi_weights(compound=False))
COMPOUND = list(guangxi_weights(compound=True))


def samples(rng: random.Random, n: int = 400) -> dict[str, list]:
    ids, mobiles, cards, names, addresses, landlines, emails, usccs = ([] for _ in range(8))
    for i in range(n):
        rid = resident_id(rng)
        ids.append(rid if i % 7 else rid[:6] + " " + rid[6:].lower())  # dirty forms too
        m = f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}"
        mobiles.append(
            [m, f"+86 {m[:3]}-{m[3:7]}-{m[7:]}", "0086" + m, m[:6], "021-8693044转8"][i % 5]
        )
        cards.append("".join(str(rng.randint(0, 9)) for _ in range(rng.choice((16, 19)))))
        sur = rng.choice(SINGLE) if i % 9 else rng.choice(COMPOUND)
        names.append(
            sur + "".join(rng.choice("伟芳娜秀英敏静丽强磊") for _ in range(rng.randint(0, 2)))
        )
        county = rng.choice(COUNTIES)
        addresses.append(
            [full_name(county) + "民主路12号", "东环大道8号", "  " + full_name(county) + "某村"][
                i % 3
            ]
        )
        landlines.append([f"0772-{rng.randint(2000000, 8999999)}", "010 82345678", "12345"][i % 3])
        emails.append(["zhang.san@example.cn", "a@b", "no-at-sign", "x@y@z.cn"][i % 4])
        body = f"91{county}MA{rng.randint(0, 9999999):07d}"
        usccs.append(body + uscc_check(body) if len(body) == 17 else body)
    for col in (ids, mobiles, cards, names, addresses, landlines, emails, usccs):
        col.extend([None, ""])
    names.extend(["李", "阿依古丽·买买提", "欧阳娜娜", " 黄 伟 "])
    ids.append("４５０１０２１９９００１０１１２３Ｘ")  # full-width
    return {
        "resident_id": ids,
        "mobile": mobiles,
        "bank_card": cards,
        "name": names,
        "address": addresses,
        "landline": landlines,
        "email": emails,
        "uscc": usccs,
    }


PAIRS = [
    ("resident_id", C.mask_resident_id, F.mask_resident_id),
    ("mobile", C.mask_mobile, F.mask_mobile),
    ("bank_card", C.mask_bank_card, F.mask_bank_card),
    ("name", C.mask_name, F.mask_name),
    ("address", C.mask_address, F.mask_address),
    ("landline", C.mask_landline, F.mask_landline),
    ("email", C.mask_email, F.mask_email),
    ("uscc", C.mask_uscc, F.mask_uscc),
]


@pytest.mark.parametrize(("kind", "column_mask", "scalar_mask"), PAIRS, ids=[p[0] for p in PAIRS])
def test_column_masks_equal_the_scalar_masks(kind, column_mask, scalar_mask):
    values = samples(RNG)[kind]
    got = column_mask(pa.array(values, pa.string())).to_pylist()
    want = [scalar_mask(v) for v in values]
    diff = [(v, g, w) for v, g, w in zip(values, got, want, strict=True) if g != w]
    assert not diff, diff[:5]


def test_mask_formats_examples():
    assert C.mask_resident_id(pa.array(["45010219900101123x"])).to_pylist() == [
        "4****************X"
    ]
    assert C.mask_mobile(pa.array(["13812345678", None])).to_pylist() == ["138****5678", None]
    assert C.mask_name(pa.array(["黄伟强", "欧阳娜"])).to_pylist() == ["黄**", "欧阳*"]
    assert C.mask_bank_card(pa.array(["6222021234567890"])).to_pylist() == ["************7890"]
    assert C.mask_address(pa.array(["广西壮族自治区柳州市柳江区拉堡镇柳堡路1号"])).to_pylist() == [
        "广西壮族自治区柳州市柳江区"
    ]


def test_a_phone_column_masks_every_block_and_its_landlines():
    arr = pa.array(["14457769152", "+86 169 0604 4319", "021-8693044", "(0771)5551234", None])
    assert C.mask_mobile(arr).to_pylist() == [
        "144****9152",
        "+86 169****4319",
        "021-*****44",
        "0771-*****34",
        None,
    ]


def test_masks_work_on_chunked_and_large_input():
    arr = pa.chunked_array([["13812345678"], ["13912345678"]], pa.large_string())
    assert C.mask_mobile(arr).to_pylist() == ["138****5678", "139****5678"]


def test_pseudonyms_equal_within_a_key_and_differ_between_keys():
    a, b = b"a" * 32, b"b" * 32
    vals = pa.array(["450102199001011234", "450102199001011234", "450102199001015678", None])
    ta = C.pseudonymize(vals, a).to_pylist()
    tb = C.pseudonymize(vals, b).to_pylist()
    assert ta[0] == ta[1] != ta[2]
    assert ta[3] is None
    assert set(ta[:3]).isdisjoint(tb[:3])
    assert all(len(t) == 20 for t in ta[:3])
    import hashlib

    assert hashlib.sha256(b"450102199001011234").hexdigest()[:20] != ta[0]  # not a plain hash


def test_pseudonym_needs_a_real_key():
    with pytest.raises(ValueError, match="16 bytes"):
        C.pseudonymize(pa.array(["x"]), b"short")


def test_generalization():
    d = pa.array([dt.date(1987, 5, 1), dt.date(1930, 1, 1), dt.date(2020, 6, 2), None])
    assert C.birth_year(d).to_pylist() == [1987, 1930, 2020, None]
    assert C.birth_5y_band(d).to_pylist() == ["1985-1989", "1930-1934", "2020-2024", None]
    assert C.age_band(d, dt.date(2024, 6, 1)).to_pylist() == ["35-39", "85+", "0-4", None]
    # exact birthday arithmetic: the day before the 40th birthday is still 39
    assert C.ages(pa.array([dt.date(1984, 6, 2)]), dt.date(2024, 6, 1)).to_pylist() == [39]
    assert C.birth_5y_band(pa.array(["1987-05-01", "19870501", "bad"])).to_pylist() == [
        "1985-1989",
        "1985-1989",
        None,
    ]
    assert C.division_level(pa.array(["450202"]), "city").to_pylist() == ["450200"]
    assert C.suppress(pa.array(["x", "y"])).null_count == 2


def test_person_rows_by_type_and_by_shape():
    ids = pa.array(["450102199001011234", "91450200MA5K00000X", "91450200MA5K00000X", None])
    types = pa.array(["居民身份证", "统一社会信用代码", None, None])
    assert C.person_rows(ids, types).to_pylist() == [True, False, False, True]
    masked = C.mask_resident_id(ids)
    assert C.where_person(C.person_rows(ids, types), masked, ids).to_pylist()[:2] == [
        "4****************4",
        "91450200MA5K00000X",
    ]


def test_as_dates_reads_the_layouts_extracts_use():
    values = ["2025/7/2", "1972年12月18日", "20001025", "2026-11-21 09:30:00", "1990.6.5"]
    assert C.as_dates(pa.array(values + ["x", "2025-13-01", None])).to_pylist() == [
        dt.date(2025, 7, 2),
        dt.date(1972, 12, 18),
        dt.date(2000, 10, 25),
        dt.date(2026, 11, 21),
        dt.date(1990, 6, 5),
        None,
        None,
        None,
    ]
