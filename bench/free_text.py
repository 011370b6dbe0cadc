"""Free-text PII analyzer: generated short Chinese texts, throughput per core, recall check.

    python bench/free_text.py [--texts N] [--pii-share P] [--seed S]

Generates N short texts (default 20,000; ``--pii-share`` of them, default 0.5, carry
identifiers: resident IDs 18/15 digits, spaced, hyphenated, full-width, lowercase x; mobiles
with +86/0086/hyphens/spaces; bank cards; credit codes; names after labels; addresses), the
rest PII-free administrative prose (article numbers, order numbers, GUIDs, timestamps,
amounts, hotlines, dates, versions). Runs ``redact_many`` over them on one core and prints
texts/s, plus ``analyze`` alone on the PII texts. Also checks the outcome: no checksummed
identifier left in the redacted PII texts, PII-free texts unchanged. Target >= 5,000 short
texts/s per core.

``make_pii_texts`` / ``make_clean_texts`` are also the corpus of ``tests/masking``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jutong.identifiers.checkdigits import (  # noqa: E402
    USCC_CHARSET,
    orgcode_check,
    resident_id_check,
    uscc_check,
)
from jutong.reference import load_divisions  # noqa: E402
from jutong.reference.surnames import guangxi_weights  # noqa: E402
from jutong.synth import pools  # noqa: E402
from jutong.text.luhn import luhn_check_digit  # noqa: E402

_FW = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")
_MOBILE_PREFIXES = [f"13{i}" for i in range(10)] + ["150", "152", "158", "166", "177", "188", "199"]


def _counties() -> list[str]:
    return sorted(c for c, d in load_divisions().items() if d.level == "county")


def resident_id(rng: random.Random, legacy: bool = False) -> str:
    county = rng.choice(_counties())
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 80))
    seq = f"{rng.randrange(0, 1000):03d}"
    if legacy:
        return county + birth.strftime("%y%m%d") + seq
    body = county + birth.strftime("%Y%m%d") + seq
    return body + resident_id_check(body)


def resident_id_x(rng: random.Random) -> str:
    while True:
        v = resident_id(rng)
        if v.endswith("X"):
            return v


def uscc(rng: random.Random) -> str:
    org = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    auth = rng.choice(["91", "92", "93", "12", "52", "11"])
    body = auth + rng.choice(_counties()) + org + orgcode_check(org)
    assert all(c in USCC_CHARSET for c in body)
    return body + uscc_check(body)


def bank_card(rng: random.Random) -> str:
    n = rng.choice([16, 19])
    body = "62" + "".join(str(rng.randrange(10)) for _ in range(n - 3))
    return body + luhn_check_digit(body)


def mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


_SINGLE = list(guangxi_weights(compound=False))
_COMPOUND = list(guangxi_weights(compound=True))


def person_name(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.08:
        return rng.choice(pools.MINORITY_FIRST_MALE) + "·" + rng.choice(pools.MINORITY_FATHER)
    surname = rng.choice(_COMPOUND) if r < 0.15 else rng.choice(_SINGLE)
    given = list(pools.GIVEN_MALE_OLD) + list(pools.GIVEN_FEMALE_NEW)
    return surname + "".join(rng.choice(given) for _ in range(rng.choice([1, 2])))


def address(rng: random.Random) -> str:
    county = load_divisions()[rng.choice([c for c in _counties() if c.startswith("45")])]
    city = load_divisions().get(county.parent or "")
    road = rng.choice(pools.ROAD_WORDS) + rng.choice(pools.ROAD_SUFFIXES)
    return "广西" + (city.name if city else "") + county.name + road + f"{rng.randrange(1, 300)}号"


def _id_form(rng: random.Random, v: str) -> str:
    form = rng.randrange(6)
    if form == 1:
        return f"{v[:6]} {v[6:14]} {v[14:]}"
    if form == 2:
        return f"{v[:6]}-{v[6:14]}-{v[14:]}"
    if form == 3:
        return v.translate(_FW)
    if form == 4:
        return v.lower()
    return v


def _mobile_form(rng: random.Random, m: str) -> str:
    return rng.choice(
        [
            m,
            f"+86 {m[:3]}-{m[3:7]}-{m[7:]}",
            f"0086{m}",
            f"{m[:3]} {m[3:7]} {m[7:]}",
            f"+86{m}",
            f"{m[:3]}-{m[3:7]}-{m[7:]}",
            m.translate(_FW),
        ]
    )


PII_TEMPLATES = (
    "申请人{name}，身份证号{rid}，联系电话{mob}。",
    "当事人{name}（公民身份号码：{rid}）于2026年11月21日提交了材料。",
    "经核实，{rid}号码持有人住址：{addr}，手机{mob}",
    "户主{name}的银行卡号{card}已冻结，请联系{mob}。",
    "统一社会信用代码{uscc}的企业法定代表人为{name}，电话{mob}",
    "身份证{rid}手机{mob}卡号{card}",
    "请{name}先生于三个工作日内回电{mob}。",
    "企业（信用代码：{uscc}）开户账号{card}",
    "旧身份证号{rid15}已升级。",
    "联系人：{name} 联系方式：{mob} 邮箱：user{n}@example.com",
    "投诉人{name}反映：其身份证号码为{rid}，家住{addr}。",
    "{name}女士的身份证号是{rid}",
    "收款账户{card}，户名{name}。",
)

CLEAN_TEXTS = (
    "根据《广西公共数据开放管理办法》第二十二条，公共数据开放主体应当建立开放目录。",
    "依照第29条第2款的规定，申请人应当在十个工作日内补正材料。",
    "订单号 2026112100012345678 已于 2026-11-21 09:30:00 完成支付。",
    "时间戳20261121093000，批次号202611210001。",
    "请求编号 550e8400-e29b-41d4-a716-446655440000 已受理。",
    "本次交易金额为 13,800.00 元，手续费 5.50 元。",
    "政务服务便民热线12345，工商银行客服95588，全国统一客服400-820-8820。",
    "当事人陈述、申辩的权利依法受到保护。",
    "王府井大街的游客在周年庆期间明显增多，交通十分方便。",
    "高速公路沿线张贴了黄色的安全提示标语，倡导和平与和谐。",
    "软件版本 v2.2.366 于 2026年11月21日 发布，构建号 3.11.4。",
    "编号450102199001011234的样本校验位错误，不予受理。",
    "产品型号 E12345678 与 SKU6222021234567890123 库存充足。",
    "本条例自2026年1月1日起施行，共五章三十五条。",
    "第三十五条第（二）项规定的情形除外。",
    "全市共完成投资 1380013800 元，同比增长 12.5%。",
    "会议于14:30在三楼会议室召开，参会人数 186 人。",
    "数据目录共收录 4,501 个数据项，更新周期为每季度。",
    "中国·东盟博览会在南宁举行。",
    "申请人应当如实提交有关材料，并对其真实性负责。",
    "统计年鉴显示，2025年地区生产总值为 28,302.5 亿元。",
    "坐标 108.366543, 22.817002，海拔 76 米。",
    "文号：桂政办发〔2026〕12号。",
    "合同编号HT-2026-000123，项目编码 450100-2026-0042。",
    "IP 地址 192.168.10.25，端口 8080。",
    "请拨打 12345 或 0771-12345 反映问题。",
    "订单号 4501021990010112345 已关闭。",
    "邮政编码 530021，区号 0771。",
    "咨询请前往政务服务中心二楼3号窗口办理。",
    "联系人：数据管理处 办公室",
    "联系人：见附件；地址：见附件。",
    "合计13800138000元，较上年增加1380人。",
)


def make_pii_texts(n: int, seed: int = 7) -> list[tuple[str, dict[str, list[str]]]]:
    """``(text, {kind: [clear values]})`` for ``n`` generated texts with PII."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        tpl = PII_TEMPLATES[i % len(PII_TEMPLATES)]
        rid = resident_id_x(rng) if rng.random() < 0.15 else resident_id(rng)
        rid15 = resident_id(rng, legacy=True)
        mob, card, code = mobile(rng), bank_card(rng), uscc(rng)
        values = {
            "name": person_name(rng),
            "rid": _id_form(rng, rid),
            "rid15": rid15,
            "mob": _mobile_form(rng, mob),
            "card": card
            if rng.random() < 0.6
            else " ".join(card[k : k + 4] for k in range(0, len(card), 4)),
            "uscc": code if rng.random() < 0.8 else code.lower(),
            "addr": address(rng),
            "n": i,
        }
        text = tpl.format(**values)
        truth: dict[str, list[str]] = {}
        for key, kind in (
            ("rid", "id"),
            ("rid15", "id"),
            ("mob", "mobile"),
            ("card", "card"),
            ("uscc", "uscc"),
        ):
            if "{" + key + "}" in tpl:
                truth.setdefault(kind, []).append(values[key])
        out.append((text, truth))
    return out


def make_clean_texts(n: int) -> list[str]:
    return [CLEAN_TEXTS[i % len(CLEAN_TEXTS)] for i in range(n)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--texts", type=int, default=20_000)
    ap.add_argument("--pii-share", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)

    from masking.analyzer import CHECKSUMMED, analyze, get_analyzer, redact_many

    n_pii = int(args.texts * args.pii_share)
    pii = make_pii_texts(n_pii, args.seed)
    clean = make_clean_texts(args.texts - n_pii)
    texts = [t for t, _ in pii] + clean
    random.Random(args.seed).shuffle(texts)
    get_analyzer()
    redact_many(texts[:50])  # warm-up (regex compilation)

    t0 = time.process_time()
    redacted = redact_many(texts)
    cpu = time.process_time() - t0
    t0 = time.process_time()
    for t, _ in pii:
        analyze(t)
    cpu_analyze = time.process_time() - t0

    by_text = dict(zip(texts, redacted, strict=True))
    left = sum(1 for t, _ in pii if analyze(by_text[t], entities=sorted(CHECKSUMMED)))
    changed = sum(1 for t in clean if by_text[t] != t)
    avg_len = sum(map(len, texts)) / len(texts)
    print(
        f"texts: {len(texts):,} ({n_pii:,} with PII, {len(clean):,} PII-free), {avg_len:.0f} chars on average"
    )
    print(f"redact_many: {len(texts) / cpu:,.0f} texts/s per core (CPU time {cpu:.2f} s)")
    print(f"analyze, PII texts only: {n_pii / cpu_analyze:,.0f} texts/s per core")
    print(f"PII texts with a checksummed identifier left after redaction: {left}")
    print(f"PII-free texts changed by redaction: {changed}")
    return 0 if left == 0 and changed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
