"""The masking-policy check of the marts (in the spirit of gitlab-data's safe-model check):
a mart column whose lineage reaches personal information (``meta.pii`` other than ``none``,
derived from its sources, see ``tests/themes/test_sources.py``) must carry a masking policy
(``meta.masking``: an action of ``jutong.catalog.model.Action``) before anything may read it
beyond the platform (GX-Reg art. 25: desensitization before sharing or opening). ``keep`` on
such a column needs a stated basis (``meta.masking_basis``), e.g. an aggregate's dimension.

``jutong themes policies`` runs it (exit 1 naming every offending column); ``jutong themes
build`` refuses to start while a mart breaks it.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from jutong.catalog.model import Action

ACTIONS = {a.value for a in Action}


def mart_names(project: Path) -> list[str]:
    """The marts declared under ``models/marts`` (their YAML), sorted."""
    names = []
    for path in sorted((project / "models" / "marts").rglob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names += [m["name"] for m in doc.get("models", [])]
    return sorted(names)


def mart_columns(project: Path) -> list[tuple[str, dict]]:
    """(mart, column declaration) of every mart under ``models/marts``."""
    out = []
    for path in sorted((project / "models" / "marts").rglob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in doc.get("models", []):
            out += [(model["name"], col) for col in model.get("columns", [])]
    return out


def policy_problems(project: Path) -> list[str]:
    """Every mart column that reaches PII without a usable masking policy, one line each."""
    problems = []
    for mart, col in mart_columns(project):
        where = f"{mart}.{col['name']}"
        meta = col.get("meta") or {}
        pii = meta.get("pii")
        if pii is None:
            problems.append(f"{where}: no meta.pii (its PII class from lineage)")
            continue
        if pii == "none":
            continue
        action = meta.get("masking")
        if action is None:
            problems.append(
                f"{where}: reaches PII ({pii}) but has no masking policy (meta.masking)"
            )
        elif action not in ACTIONS:
            problems.append(
                f"{where}: unknown masking action '{action}' (actions: {', '.join(sorted(ACTIONS))})"
            )
        elif action == Action.keep.value and not meta.get("masking_basis"):
            problems.append(
                f"{where}: keeps PII ({pii}) without a stated basis (meta.masking_basis)"
            )
    return problems
