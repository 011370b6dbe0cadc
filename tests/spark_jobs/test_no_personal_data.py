"""No personal data in what standardize and the quality gate say about a batch (issue 12).

A ``renshe.shebao`` delivery with wrong check digits, broken mobiles and a name the gate
refuses is standardized twice: once passing with quarantined rows, once blocked. Everything the
platform writes about it outside the data itself — exceptions, log records, the command line's
output, the gate's run records, its Data Docs pages and validation results, the scorecard, the
correction ticket — is scanned for any resident ID, mobile or name of the delivery. The rows
themselves (staging, quarantine) are data and are not scanned.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil

import pytest
import sqlalchemy as sa

from jutong.catalog import load_catalog
from jutong.cli import main
from jutong.demo import deliver_bad_batch
from jutong.governance.db import engine
from jutong.governance.schema import metadata
from jutong.ingest import ingest_file
from jutong.lake import Lake
from jutong.quality.report import build_report, write_scorecard
from jutong.synth import generate
from spark_jobs.standardize import run_standardize

pytestmark = pytest.mark.spark
AS_OF = dt.date(2026, 11, 21)
SCANNED_SUFFIXES = {".html", ".json", ".jsonl", ".csv", ".txt", ".log", ".md"}


def _rows(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _personal_values(rows: list[dict]) -> set[str]:
    """Every resident ID, mobile and name of the delivery (names of three or more characters:
    a two-character name may occur in any Chinese label)."""
    out: set[str] = set()
    for r in rows:
        for key in ("sfzh", "lxdh"):
            v = str(r.get(key) or "").strip()
            if len(v) >= 11:
                out |= {v, v.upper()}
        name = str(r.get("xm") or "").strip()
        if len(name) >= 3:
            out.add(name)
    return out


def _said_outside_the_data(settings) -> list[tuple[str, str]]:
    """(file, text) of every text file the lake holds outside the Iceberg tables."""
    found = []
    warehouse_dirs = {"raw", "staging", "base", "theme", "quarantine", "share", "release"}
    for path in sorted(settings.lake_root.rglob("*")):
        rel = path.relative_to(settings.lake_root)
        if not path.is_file() or path.suffix not in SCANNED_SUFFIXES:
            continue
        if rel.parts[0] in warehouse_dirs or "metadata" in rel.parts:
            continue
        found.append((str(rel), path.read_text(encoding="utf-8", errors="replace")))
    return found


def test_standardize_and_gate_say_nothing_personal(spark, settings, tmp_path, caplog, capsys):
    catalog = load_catalog(settings.catalog_dir)
    entry = catalog.get("renshe.shebao")
    lake = Lake(settings)
    # a blocked batch: 10 % wrong check digits (the demo's bad delivery, tiny)
    bad = deliver_bad_batch(settings, tmp_path / "landing", people=120)
    # a passing batch with quarantined rows: a clean extract with broken mobiles and names
    rows = _rows(bad)
    generate(tmp_path / "province", people=80, orgs=20, seed=5)
    (src,) = sorted((tmp_path / "province/extracts/renshe/shebao").iterdir())
    clean = _rows(src)
    for r in clean[:2]:
        r["lxdh"] = str(r.get("lxdh") or "13800138000") + "99"
        r["xz"] = "不存在的险种" + r["xm"]  # a value outside the set that carries a name
    passing = tmp_path / "in" / "shebao_ok.jsonl"
    passing.parent.mkdir(parents=True)
    passing.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in clean) + "\n", encoding="utf-8"
    )
    personal = _personal_values(rows + clean)
    assert len(personal) > 100

    said: list[tuple[str, str]] = []
    logging.getLogger("py4j").setLevel(logging.WARNING)
    with caplog.at_level(logging.DEBUG):
        for path in (passing, bad):
            dst = tmp_path / "in" / f"copy_{path.name}"
            shutil.copy2(path, dst)
            ingest_file(settings, entry, dst)
        results = run_standardize(spark, settings, entry, AS_OF, lake=lake)
        assert sorted(r.status for r in results) == ["blocked", "passed"], results
        passed = next(r for r in results if r.status == "passed")
        assert passed.quarantined >= 2
        for r in results:
            said.append((f"result {r.batch_id}", repr(r)))
            said += [(f"failure {r.batch_id}", f) for f in r.failures]
        assert main(["staging", "status"]) == 0
        assert main(["quality", "report"]) == 0
        assert main(["tickets", "list"]) == 0
    write_scorecard(settings, build_report(settings))
    cap = capsys.readouterr()
    said += [("log", caplog.text), ("stdout", cap.out), ("stderr", cap.err)]
    said += _said_outside_the_data(settings)
    with engine(settings).connect() as conn:
        for table in metadata.sorted_tables:  # tickets, their events, gate runs, audit …
            for row in conn.execute(sa.select(table)):
                said.append((table.name, " ".join(str(v) for v in row)))
    kinds = {name.split("/")[0] for name, _ in said}
    assert {"quality", "quality_tickets", "audit_events", "quality_gate_runs"} <= kinds, sorted(
        kinds
    )
    assert any(name.endswith(".html") and "data_docs" in name for name, _ in said)
    leaks = sorted(
        {(name, v) for name, text in said for v in personal if v in text},
    )
    assert leaks == [], leaks[:10]
