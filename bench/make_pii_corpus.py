"""Write the labelled evaluation corpus of ``jutong pii evaluate``: synthetic Chinese texts.

    python bench/make_pii_corpus.py [--out bench/data/pii_corpus.jsonl] [--seed 14]

One JSON object per line: ``{"text": ..., "pii": [{"type": ENTITY, "value": ...}, ...]}``;
PII-free texts (hard negatives: order numbers, GUIDs, timestamps, legal article numbers,
phone-like product codes, amounts, hotlines) have ``"pii": []``. Every type is covered: resident
IDs, mobiles of every block of the numbering plan, landlines, bank cards, credit codes, e-mail,
passports and permits, plates, names with a cue word (label, form of address) and without one
(only the NER model finds those), addresses.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import free_text as F  # noqa: E402

OUT = Path(__file__).resolve().parent / "data" / "pii_corpus.jsonl"


def _mobile(rng: random.Random) -> str:
    return f"1{rng.randint(3, 9)}{rng.randrange(10**9):09d}"


def _landline(rng: random.Random) -> str:
    area = rng.choice(["010", "021", "020", "0771", "0772", "0755", "0898"])
    local = f"{rng.randint(2, 8)}{rng.randrange(10**6):06d}" + (
        str(rng.randrange(10)) if area in ("010", "021", "020") or rng.random() < 0.5 else ""
    )
    return rng.choice([f"{area}-{local}", f"({area}){local}", f"{area} {local}", area + local])


def _plate(rng: random.Random) -> str:
    p = rng.choice("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼")
    letter = rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
    tail = rng.choice(
        [
            f"{rng.randrange(10**5):05d}",
            f"D{rng.randrange(10**5):05d}",
            f"{rng.randrange(10**4):04d}学",
            f"{rng.randrange(10**4):04d}警",
            f"{rng.randrange(10**4):04d}挂",
        ]
    )
    return p + letter + tail


def _passport(rng: random.Random) -> tuple[str, str]:
    n = f"{rng.randrange(10**8):08d}"
    return rng.choice(
        [("护照号码", "E" + n), ("往来港澳通行证", "C" + n), ("回乡证", "H" + n), ("台胞证", n)]
    )


def _building(rng: random.Random) -> str:
    estate = rng.choice(["阳光花园", "锦绣小区", "凤岭新村", "青秀家园", "翠竹苑"])
    return f"{estate}{rng.randint(1, 30)}栋{rng.randint(1, 4)}单元{rng.randint(1, 30)}0{rng.randint(1, 4)}室"


TEMPLATES = (
    ("申请人{name}，身份证号{rid}。", ("name", "rid")),
    ("预留手机{mob}，请及时回复。", ("mob",)),
    ("{mob_plain}", ("mob_plain",)),
    ("办公电话{land}", ("land",)),
    ("收款账户{card}。", ("card",)),
    ("统一社会信用代码{uscc}", ("uscc",)),
    ("联系邮箱：user{n}@example.com", ("email",)),
    ("{plabel}{pp}", ("pp",)),
    ("车牌{plate}违章停车", ("plate",)),
    ("{plate}在路口被拍到", ("plate",)),
    ("家住{addr}。", ("addr",)),
    ("快递请放在{bld}门口", ("bld",)),
    ("请{name}先生回电{mob}。", ("name", "mob")),
    ("当事人{name}于2026年11月21日到场。", ("name",)),
    # names without a cue word (no label, no form of address): only the NER model finds them
    ("今天下午{name}来窗口办理了业务。", ("name",)),
    ("经核实，{name}已于上月搬离该处。", ("name",)),
    ("据{name}反映，小区路灯损坏多日。", ("name",)),
    ("{name}和{name2}共同签署了调解协议。", ("name", "name2")),
    ("工作人员对{name}的材料进行了核查。", ("name",)),
    ("{name}在青秀区从事个体经营多年。", ("name",)),
)

NEGATIVES = (
    "订单号 {o19} 已于 2026-11-21 09:30:00 完成支付。",
    "请求编号 {guid} 已受理。",
    "时间戳{ts}，批次号{batch}。",
    "依照第{a}条第{b}款的规定办理。",
    "产品型号 {m11} 库存充足。",
    "货号{m11}已下架。",
    "本次交易金额为 {amt} 元。",
    "政务服务便民热线12345，客服95588。",
    "会议于14:30在三楼会议室召开，参会人数 {a} 人。",
    "合计{m11}元，较上年增加{a}人。",
    "文号：桂政办发〔2026〕{a}号。",
    "统计年鉴显示，地区生产总值为 {amt} 亿元。",
    # words and places that begin with a surname character, organisations: no person
    "王府井大街的游客在周年庆期间明显增多。",
    "高速公路沿线张贴了黄色的安全提示标语。",
    "和平路社区于{a}日开展了安全宣传活动。",
    "林业局发布了森林防火通告，请市民周知。",
    "中国·东盟博览会在南宁举行，展期{b}天。",
    "黄金周期间景区接待游客{a}万人次。",
)


def _guid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def make(n_pii: int = 840, n_clean: int = 360, seed: int = 14) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n_pii):
        tpl, keys = TEMPLATES[i % len(TEMPLATES)]
        plabel, pp = _passport(rng)
        v = {
            "name": F.person_name(rng),
            "name2": F.person_name(rng),
            "rid": F.resident_id(rng),
            "mob": F._mobile_form(rng, _mobile(rng)),
            "mob_plain": _mobile(rng),
            "land": _landline(rng),
            "card": F.bank_card(rng),
            "uscc": F.uscc(rng),
            "n": i,
            "plabel": plabel,
            "pp": pp,
            "plate": _plate(rng),
            "addr": F.address(rng),
            "bld": _building(rng),
        }
        v["email"] = f"user{i}@example.com"
        types = {
            "name": "CN_PERSON_NAME",
            "name2": "CN_PERSON_NAME",
            "rid": "CN_RESIDENT_ID",
            "mob": "CN_MOBILE",
            "mob_plain": "CN_MOBILE",
            "land": "CN_LANDLINE",
            "card": "CN_BANK_CARD",
            "uscc": "CN_USCC",
            "email": "EMAIL_ADDRESS",
            "pp": "CN_PASSPORT",
            "plate": "CN_VEHICLE_PLATE",
            "addr": "CN_ADDRESS",
            "bld": "CN_ADDRESS",
        }
        out.append(
            {"text": tpl.format(**v), "pii": [{"type": types[k], "value": v[k]} for k in keys]}
        )
    for i in range(n_clean):
        tpl = NEGATIVES[i % len(NEGATIVES)]
        text = tpl.format(
            o19=f"2026{rng.randrange(10**15):015d}",
            guid=_guid(rng),
            ts=f"2026{rng.randrange(10**10):010d}",
            batch=f"2026{rng.randrange(10**8):08d}",
            a=rng.randint(1, 99),
            b=rng.randint(1, 9),
            m11=_mobile(rng),
            amt=f"{rng.randint(1, 99999):,}.{rng.randrange(100):02d}",
        )
        out.append({"text": text, "pii": []})
    rng.shuffle(out)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args(argv)
    rows = make(seed=args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{args.out}: {len(rows)} texts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
