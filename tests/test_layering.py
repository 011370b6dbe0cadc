"""The layering of the packages, checked: the import contracts of ``pyproject.toml``
(``[tool.importlinter]``) hold, and every module of the core imports without loading Spark,
Airflow, Great Expectations or Presidio."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import jutong

REPO = Path(__file__).resolve().parent.parent
ENGINES = ("pyspark", "airflow", "great_expectations", "presidio_analyzer", "presidio_anonymizer")


def test_import_contracts_are_kept():
    lint = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run(
        [str(lint), "--config", str(REPO / "pyproject.toml"), "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"lint-imports failed:\n{out}"
    assert "0 broken" in out, out


def _core_modules() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.walk_packages(jutong.__path__, "jutong.")
        if m.name != "jutong.__main__"
    )


# Runs in a fresh interpreter: imports each module in turn and prints, per module, the engines
# that were loaded by it (a module is run as a file, not with -c: PySpark's connect module
# exits a process whose __main__ has no file).
PROBE = """
import importlib, json, sys
engines = {engines!r}
seen = {{}}
for name in {modules!r}:
    before = {{e for e in engines if e in sys.modules}}
    importlib.import_module(name)
    new = sorted({{e for e in engines if e in sys.modules}} - before)
    if new:
        seen[name] = new
print(json.dumps(seen))
"""


def test_core_modules_import_without_engines(tmp_path):
    modules = _core_modules()
    assert "jutong.quality.verdict" in modules and "jutong.lake" in modules
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE.format(engines=ENGINES, modules=modules), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(probe)], cwd=REPO, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines, f"the probe printed nothing:\n{proc.stderr}"
    loaded = json.loads(lines[-1])
    assert loaded == {}, f"core modules loading an engine at import: {loaded}"
