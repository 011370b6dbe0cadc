"""Free-text PII analyzer before and after the NER model: texts/s, peak memory, ratio.

    python bench/free_text.py [--texts N] [--pii-share P] [--seed S] [--corpus PATH]
                              [--only before|after] [--json]

Generates N short texts (default 20,000; ``--pii-share`` of them, default 0.5, carry
identifiers: resident IDs 18/15 digits, spaced, hyphenated, full-width, lowercase x; mobiles
with +86/0086/hyphens/spaces; bank cards; credit codes; names after labels and names without
a cue word; addresses), the rest PII-free administrative prose (article numbers, order numbers,
GUIDs, timestamps, amounts, hotlines, dates, versions; these repeat, as cells of a column do).
Then, in the same run, each analyzer in a fresh process of its own: ``before`` = the pattern
recognizers only (``FreeTextAnalyzer(ner=False)``), ``after`` = the default analyzer with the
NER model. For each: ``redact_many`` texts/s over the committed labelled corpus
(``bench/data/pii_corpus.jsonl``, every text distinct) and over the generated texts, wall
clock (the NER runs a chunk ahead on a second thread: two cores) and CPU time, the process's
RSS after loading and its peak RSS; and the outcome: no checksummed identifier left, PII-free
texts unchanged, names without a cue word left. Target: >= 1,000 texts/s on 2 cores with the
NER model.

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
    # names without a cue word (label or form of address): only the NER model finds them
    "经核实，{bare}已于上月搬离，其身份证号{rid}已注销。",
    "据{bare}反映，其手机{mob}近日收到诈骗短信。",
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
            "bare": person_name(rng),
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
            ("bare", "bare_name"),
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


CONFIGS = {"before": False, "after": True}  # name -> with the NER model
CORPUS = Path(__file__).resolve().parent / "data" / "pii_corpus.jsonl"


def run_config(ner: bool, args: argparse.Namespace) -> dict:
    """Figures of one analyzer configuration in this process (fresh: the child of ``main``)."""
    import json
    import resource

    from masking.analyzer import CHECKSUMMED, FreeTextAnalyzer

    n_pii = int(args.texts * args.pii_share)
    pii = make_pii_texts(n_pii, args.seed)
    clean = make_clean_texts(args.texts - n_pii)
    texts = [t for t, _ in pii] + clean
    random.Random(args.seed).shuffle(texts)
    corpus = [json.loads(line)["text"] for line in args.corpus.read_text("utf-8").splitlines()]
    rss_loaded = None
    analyzer = FreeTextAnalyzer(ner=ner)
    analyzer.redact_many(make_clean_texts(50))  # warm-up (regex compilation, ONNX first run)
    rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def timed(items: list[str]) -> tuple[list, float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        out = analyzer.redact_many(items)
        return out, time.perf_counter() - wall, time.process_time() - cpu

    _, corpus_wall, corpus_cpu = timed(corpus)
    redacted, wall, cpu = timed(texts)
    by_text = dict(zip(texts, redacted, strict=True))
    left = sum(1 for t, _ in pii if analyzer.analyze(by_text[t], entities=sorted(CHECKSUMMED)))
    names = [(t, v) for t, truth in pii for v in truth.get("bare_name", [])]
    return {
        "config": "patterns + NER" if ner else "patterns only",
        "texts": len(texts),
        "pii_texts": n_pii,
        "avg_chars": sum(map(len, texts)) / len(texts),
        "texts_per_s": len(texts) / wall,
        "texts_per_cpu_s": len(texts) / cpu,
        "corpus_texts": len(corpus),
        "corpus_texts_per_s": len(corpus) / corpus_wall,
        "corpus_texts_per_cpu_s": len(corpus) / corpus_cpu,
        "rss_after_load_mib": rss_loaded,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "checksummed_left": left,
        "clean_changed": sum(1 for t in clean if by_text[t] != t),
        "bare_names": len(names),
        "bare_names_left": sum(1 for t, v in names if v in by_text[t]),
    }


def _print(results: list[dict]) -> None:
    first = results[0]
    print(
        f"generated texts: {first['texts']:,} ({first['pii_texts']:,} with PII), "
        f"{first['avg_chars']:.0f} chars on average; corpus: {first['corpus_texts']:,} "
        f"distinct texts ({CORPUS.name})"
    )
    head = ("", *(r["config"] for r in results))
    rows = [
        ("texts/s (wall, generated)", "texts_per_s", "{:,.0f}"),
        ("texts/s (CPU, generated)", "texts_per_cpu_s", "{:,.0f}"),
        ("texts/s (wall, corpus)", "corpus_texts_per_s", "{:,.0f}"),
        ("texts/s (CPU, corpus)", "corpus_texts_per_cpu_s", "{:,.0f}"),
        ("RSS after loading (MiB)", "rss_after_load_mib", "{:,.0f}"),
        ("peak RSS (MiB)", "peak_rss_mib", "{:,.0f}"),
        ("checksummed identifiers left", "checksummed_left", "{}"),
        ("PII-free texts changed", "clean_changed", "{}"),
        ("names without a cue word left", "bare_names_left", "{}"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{head[0]:<{width}}  " + "  ".join(f"{h:>15}" for h in head[1:]))
    for label, key, fmt in rows:
        print(f"{label:<{width}}  " + "  ".join(f"{fmt.format(r[key]):>15}" for r in results))
    if len(results) == 2:
        a, b = results
        print(
            f"after/before: {b['texts_per_s'] / a['texts_per_s']:.2f}x texts/s (generated), "
            f"{b['corpus_texts_per_s'] / a['corpus_texts_per_s']:.2f}x (corpus), "
            f"{b['peak_rss_mib'] / a['peak_rss_mib']:.2f}x peak memory; "
            f"names without a cue word left: {a['bare_names_left']} -> {b['bare_names_left']} "
            f"of {b['bare_names']}"
        )


def main(argv: list[str] | None = None) -> int:
    import json
    import subprocess

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--texts", type=int, default=20_000)
    ap.add_argument("--pii-share", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--only", choices=sorted(CONFIGS), help="run one configuration in this process")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)

    if args.only:
        results = [run_config(CONFIGS[args.only], args)]
    else:  # each configuration in a fresh process: its own peak memory, no shared cache
        results = []
        for name in CONFIGS:
            cmd = [sys.executable, __file__, "--only", name, "--json"]
            cmd += ["--texts", str(args.texts), "--pii-share", str(args.pii_share)]
            cmd += ["--seed", str(args.seed), "--corpus", str(args.corpus)]
            done = subprocess.run(cmd, capture_output=True, text=True, check=True)
            results.extend(json.loads(done.stdout))
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
    else:
        _print(results)
    ok = all(r["checksummed_left"] == 0 and r["clean_changed"] == 0 for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
