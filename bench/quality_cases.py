"""Bench: what making correction tickets and review items cases costs. Opens ``--tickets``
tickets in one batch (as the base build's conflict pass does) and puts ``--reviews`` review
items in the queue (as a base build does), each once with their cases (the case rows, the
clocks and the audit events) and once with the case opening switched off (the code before
tickets and reviews were cases, as the baseline), on fresh SQLite databases; prints rows/s,
peak memory and the ratio.

    .venv/bin/python bench/quality_cases.py [--tickets 2000] [--reviews 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _settings(work: Path, name: str):
    from jutong.settings import load_settings

    home = work / name
    shutil.copytree(REPO / "catalog", home / "catalog")
    for d in ("lake", "landing", "airflow"):
        (home / d).mkdir(parents=True)
    import os

    os.environ["JUTONG_HOME"] = str(home)
    os.environ["JUTONG_GOVERNANCE_DB_URI"] = f"sqlite:///{home / 'governance.db'}"
    s = load_settings()
    from jutong.governance.db import engine

    engine(s)  # migrated before timing
    return s


def _tickets(s, n: int) -> float:
    from jutong.governance.tickets import open_tickets

    specs = [
        {
            "department": ("gongan", "minzheng", "shichang")[i % 3],
            "kind": "conflict",
            "subject": f"population.name conflict group {i}",
            "source_ref": f"conflict:population:name:{i}",
            "opened_at": dt.datetime(2026, 2, 12, 1, 0),
        }
        for i in range(n)
    ]
    t0 = time.perf_counter()
    open_tickets(s, specs)
    return time.perf_counter() - t0


def _reviews(s, n: int) -> float:
    from jutong.base.review import sync_pending

    pairs = [
        {
            "mention_id": f"g:{i:06x}",
            "entity_id": f"P{i:010d}",
            "match_probability": 0.8,
            "details": {"mentions": [f"renshe.shebao|b1|{i}|person"]},
        }
        for i in range(n)
    ]
    t0 = time.perf_counter()
    sync_pending(s, "population", pairs)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=2000)
    ap.add_argument("--reviews", type=int, default=2000)
    args = ap.parse_args()
    sys.path.insert(0, str(REPO))
    import jutong.base.review as review
    import jutong.governance.tickets.opening as opening

    with_cases = {"tickets": opening.open_many, "reviews": review.open_many}
    work = Path(tempfile.mkdtemp(prefix="jutong-bench-cases-"))
    try:
        results = {}
        for label, switched_off in (("baseline (no cases)", True), ("with cases", False)):
            if switched_off:
                opening.open_many = review.open_many = lambda *a, **k: []
            else:
                opening.open_many, review.open_many = with_cases["tickets"], with_cases["reviews"]
            s = _settings(work, label.split()[0])
            results[label] = (_tickets(s, args.tickets), _reviews(s, args.reviews))
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        base_t, base_r = results["baseline (no cases)"]
        for label, (t, r) in results.items():
            print(
                f"{label:20s} tickets {args.tickets:,} in {t:.2f} s ({args.tickets / t:,.0f}/s)"
                f" · review items {args.reviews:,} in {r:.2f} s ({args.reviews / r:,.0f}/s)"
            )
        t, r = results["with cases"]
        print(f"ratio with/without cases: tickets {t / base_t:.2f}, review items {r / base_r:.2f}")
        print(f"peak memory (process RSS): {peak_mb:,.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
