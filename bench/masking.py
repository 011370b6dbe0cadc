"""Benchmark of column masking vs Presidio cell by cell, and of free-text redaction.

    python bench/masking.py [--rows N] [--sample S] [--texts T]

(default 1,000,000 rows, a Presidio sample of 2,000 cells per column, 20,000 short texts).

(a) Our column masks (``masking.columns``: Arrow compute kernels, one core) over N rows × 5 PII
    columns generated synthetically (resident ID with a valid check digit, mobile, name,
    address, bank card with a valid Luhn digit): rows/s per column and for all five.
(b) Presidio cell by cell on the same columns: ``AnalyzerEngine.analyze`` (our Chinese
    recognizers, no model) + ``AnonymizerEngine.anonymize`` (mask operator) on a sample of S
    cells per column, extrapolated to N rows. Ratio (a)/(b); target >= 100x.
(c) Free text: ``masking.analyzer.redact_many`` over T short texts (half with an ID, mobile,
    card or credit code, half without), one process: texts/s; target >= 5,000 per core.

Prints ru_maxrss (peak resident memory of the process) at the end.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jutong.reference import full_name, load_divisions  # noqa: E402
from jutong.reference.surnames import guangxi_weights  # noqa: E402
from jutong.text.luhn import luhn_check_digits  # noqa: E402
from masking import columns as C  # noqa: E402

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)


def _digits(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    return rng.integers(0, 10, size=(n, k), dtype=np.int64)


def _strings(mat: np.ndarray) -> pa.Array:
    """Rows of ASCII bytes (uint8 matrix) to an Arrow string array."""
    n, w = mat.shape
    offsets = np.arange(0, (n + 1) * w, w, dtype=np.int32)
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(np.ascontiguousarray(mat).tobytes())
    )


def make_columns(n: int, seed: int = 7) -> dict[str, pa.Array]:
    rng = np.random.default_rng(seed)
    counties = [c for c, d in load_divisions().items() if d.level == "county" and c[:2] == "45"]
    county_idx = rng.integers(0, len(counties), n)
    county_digits = np.array([[int(ch) for ch in c] for c in counties], dtype=np.int64)
    # resident IDs: county + birth date + sequence + check (GB 11643-1999)
    days = rng.integers(0, 80 * 365, n)
    birth = np.datetime64("1940-01-01") + days.astype("timedelta64[D]")
    ymd = birth.astype("datetime64[D]").astype(str)
    ymd_digits = np.frombuffer("".join(ymd).replace("-", "").encode(), dtype=np.uint8)
    ymd_digits = ymd_digits.reshape(n, 8).astype(np.int64) - 48
    body = np.hstack([county_digits[county_idx], ymd_digits, _digits(rng, n, 3)])
    check = CHECK[(body * WEIGHTS).sum(axis=1) % 11]
    ids = np.hstack([(body + 48).astype(np.uint8), check[:, None]])
    # mobiles
    mob = np.hstack(
        [np.ones((n, 1), np.int64), rng.choice([3, 5, 8, 9], size=(n, 1)), _digits(rng, n, 9)]
    )
    # bank cards: 16 digits, Luhn check
    card = np.hstack([np.array([[6, 2, 2, 2]] * n), _digits(rng, n, 11)])
    card = np.hstack([card, luhn_check_digits(card)[:, None]])
    # names and addresses
    surnames = np.array(list(guangxi_weights(compound=False)))
    given = np.array(list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"))
    name = pc.binary_join_element_wise(
        pa.array(surnames[rng.integers(0, len(surnames), n)]),
        pa.array(given[rng.integers(0, len(given), n)]),
        pa.array(np.where(rng.random(n) < 0.6, given[rng.integers(0, len(given), n)], "")),
        "",
    )
    prefixes = np.array([full_name(c) for c in counties])
    roads = np.array(["民主路", "人民大道", "友爱北路", "朝阳路", "东环大道", "文昌路"])
    address = pc.binary_join_element_wise(
        pa.array(prefixes[county_idx]),
        pa.array(roads[rng.integers(0, len(roads), n)]),
        pc.cast(pa.array(rng.integers(1, 999, n)), pa.string()),
        pa.array(np.full(n, "号")),
        "",
    )
    return {
        "resident_id": _strings(ids),
        "mobile": _strings((mob + 48).astype(np.uint8)),
        "name": name,
        "address": address,
        "bank_card": _strings((card + 48).astype(np.uint8)),
    }


MASKS = {
    "resident_id": C.mask_resident_id,
    "mobile": C.mask_mobile,
    "name": C.mask_name,
    "address": C.mask_address,
    "bank_card": C.mask_bank_card,
}


def bench_columns(cols: dict[str, pa.Array]) -> dict[str, float]:
    out = {}
    for name, fn in MASKS.items():
        fn(cols[name].slice(0, 1000))  # warm caches (division pattern, surname list)
        t0 = time.perf_counter()
        masked = fn(cols[name])
        out[name] = time.perf_counter() - t0
        assert len(masked) == len(cols[name])
    return out


def bench_presidio(cols: dict[str, pa.Array], sample: int) -> dict[str, float]:
    """Seconds per cell of analyze + anonymize, per column."""
    from presidio_anonymizer import AnonymizerEngine
    from presidio_anonymizer.entities import OperatorConfig

    from masking.analyzer import LANGUAGE, get_analyzer

    analyzer, anonymizer = get_analyzer(ner=False), AnonymizerEngine()  # the pattern baseline
    ops = {
        "DEFAULT": OperatorConfig(
            "mask", {"masking_char": "*", "chars_to_mask": 8, "from_end": False}
        )
    }
    out = {}
    for name, arr in cols.items():
        cells = arr.slice(0, sample).to_pylist()
        analyzer.analyze(cells[0], language=LANGUAGE)
        t0 = time.perf_counter()
        hits = 0
        for cell in cells:
            res = analyzer.analyze(cell, language=LANGUAGE)
            hits += bool(res)
            anonymizer.anonymize(text=cell, analyzer_results=res, operators=ops)
        out[name] = (time.perf_counter() - t0) / len(cells)
        print(f"  presidio {name:<12} {1 / out[name]:>10,.0f} cells/s  ({hits}/{len(cells)} found)")
    return out


def make_texts(n: int, cols: dict[str, pa.Array], seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    ids, mobiles, cards = (
        cols[k].slice(0, n).to_pylist() for k in ("resident_id", "mobile", "bank_card")
    )
    plain = [
        "今天柳州天气晴，气温28度。",
        "会议定于下午三点在三楼会议室召开。",
        "请各单位于本周五前报送材料。",
        "该路段因施工临时封闭，请绕行。",
    ]
    with_pii = [
        "市民来电，身份证号{id}，要求核实。",
        "联系电话{m}，请尽快回复。",
        "退款请打入银行卡{c}。",
        "申请人{id}，手机{m}。",
    ]
    out = []
    for i in range(n):
        if i % 2:
            out.append(rng.choice(plain))
        else:
            out.append(rng.choice(with_pii).format(id=ids[i], m=mobiles[i], c=cards[i]))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=2_000)
    ap.add_argument("--texts", type=int, default=20_000)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    cols = make_columns(args.rows)
    print(
        f"generated {args.rows:,} rows x {len(cols)} PII columns in "
        f"{time.perf_counter() - t0:.1f} s"
    )

    print("(a) column masks (Arrow, one core)")
    ours = bench_columns(cols)
    for name, sec in ours.items():
        print(f"  {name:<12} {args.rows / sec:>14,.0f} rows/s  ({sec:.2f} s)")
    total = sum(ours.values())
    ours_rate = args.rows / total
    print(f"  all five     {ours_rate:>14,.0f} rows/s  ({total:.2f} s)")

    print(f"(b) Presidio analyze + anonymize cell by cell ({args.sample:,} cells per column)")
    per_cell = bench_presidio(cols, args.sample)
    presidio_total = sum(per_cell.values()) * args.rows
    presidio_rate = args.rows / presidio_total
    print(
        f"  all five     {presidio_rate:>14,.0f} rows/s  (extrapolated: {presidio_total:,.0f} s "
        f"for {args.rows:,} rows)"
    )
    ratio = ours_rate / presidio_rate
    print(
        f"  ratio (a)/(b): {ratio:,.0f}x  (target >= 100x: {'met' if ratio >= 100 else 'MISSED'})"
    )

    from masking.analyzer import redact_many

    texts = make_texts(args.texts, cols)
    redact_many(texts[:100])
    t0 = time.perf_counter()
    redacted = redact_many(texts)
    sec = time.perf_counter() - t0
    rate = len(texts) / sec
    print(
        f"(c) free text: redact_many on {len(texts):,} short texts, one process: "
        f"{rate:,.0f} texts/s (target >= 5,000/core: {'met' if rate >= 5000 else 'MISSED'})"
    )
    changed = sum(1 for a, b in zip(texts, redacted, strict=True) if a != b)
    print(f"    {changed:,} texts changed (of {len(texts) // 2 + len(texts) % 2:,} with PII)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (ru_maxrss): {peak:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
