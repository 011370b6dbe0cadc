"""Expectation suites generated from the resource catalog, plus hand-written additions.

One suite per catalog entry, named after its id (``gongan.huji``), in GE's JSON form:

- the batch has rows (``expect_table_row_count_to_be_between``);
- identifier items (resident ID, credit code, party ID) valid by our rules (custom
  expectations, ``spark_jobs.quality.expectations``) and, when required, not null; both
  **batch-level**, one rate against ``quality.max_invalid_id_rate`` (default 2 %): such rows
  stay in staging for the base build's matching (GX-Reg art. 18);
- required items not null; ``allowed_values`` as value sets; sex codes (GB/T 2261.1) and
  division codes (GB/T 2260) by set / pattern; ``quality.unique_key`` unique within the batch
  among rows that are not exact copies (``_duplicate_of`` null): **row-level**, failing rows
  are quarantined, more than ``quality.max_failed_row_rate`` of them block the batch;
- cross-field consistency: birth date and sex against the resident ID (batch-level rate,
  ``quality.max_inconsistent_rate``);
- freshness: the batch's load time within the update cycle's age (``UpdateCycle.max_age_days``
  or ``quality.freshness_days``; GX-Open art. 20(7) 时效性), reported, blocking only with
  ``quality.block_stale``.

The generated suites are written to ``expectations/gx/expectations/<id>.json`` by
``jutong quality suites --write`` (a test fails when they are stale). Hand-written additions
live in ``expectations/additions/<id>.json`` (``{"expectations": [...]}``): they are appended
to the generated suite; one whose ``meta.jutong.key`` equals a generated one replaces it.
They survive regeneration because generation never writes there.
"""

from __future__ import annotations

import json
from pathlib import Path

from jutong.catalog.model import CatalogEntry, PiiClass, StandardizeRule
from jutong.quality.spec import BATCH, INFO, ROW, expectation
from jutong.settings import Settings

REPO_EXPECTATIONS = Path(__file__).resolve().parents[2] / "expectations"
IDENTIFIER_RULES = {
    StandardizeRule.resident_id: "valid_resident_id",
    StandardizeRule.uscc: "valid_uscc",
    StandardizeRule.party_id: "valid_party_id",
}
SEX_CODES = ["0", "1", "2", "9"]  # GB/T 2261.1
DIVISION_PATTERN = r"^[1-9][0-9]{5}$"  # GB/T 2260


class SuiteError(ValueError):
    """A suite or an addition file is malformed (the message names the file)."""


def expectations_dir(settings: Settings | None = None) -> Path:
    """The GE project folder: ``<home>/expectations`` when the home has one, else the repo's."""
    if settings is not None and (settings.home / "expectations" / "gx").is_dir():
        return settings.home / "expectations"
    return REPO_EXPECTATIONS


def suite_path(root: Path, entry_id: str) -> Path:
    return root / "gx" / "expectations" / f"{entry_id}.json"


def additions_path(root: Path, entry_id: str) -> Path:
    return root / "additions" / f"{entry_id}.json"


def generate_suite(entry: CatalogEntry) -> dict:
    """The suite the catalog entry implies (deterministic: same entry, same JSON)."""
    q = entry.quality
    row_mostly = 1.0 - q.max_failed_row_rate
    id_mostly = 1.0 - q.max_invalid_id_rate
    names = {i.name for i in entry.items}
    unknown = [k for k in q.unique_key if k not in names]
    if unknown:
        raise SuiteError(
            f"{entry.id}: quality.unique_key names unknown item(s): {', '.join(unknown)}"
        )
    exps: list[dict] = [
        {
            "type": "expect_table_row_count_to_be_between",
            "kwargs": {"min_value": 1},
            "meta": {"jutong": {"key": "rows", "level": BATCH, "dimension": "completeness"}},
        }
    ]
    rid_items = []
    for item in entry.items:
        rule = item.standardize_rule
        if rule in IDENTIFIER_RULES:
            group = f"identifier:{item.name}"
            if item.required:
                exps.append(
                    expectation(
                        "not_null",
                        item.name,
                        level=BATCH,
                        mostly=id_mostly,
                        group=group,
                        max_rate=q.max_invalid_id_rate,
                        dimension="completeness",
                    )
                )
            exps.append(
                expectation(
                    IDENTIFIER_RULES[rule],
                    item.name,
                    level=BATCH,
                    mostly=id_mostly,
                    group=group,
                    max_rate=q.max_invalid_id_rate,
                )
            )
            if rule is StandardizeRule.resident_id:
                rid_items.append(item.name)
            continue
        if item.required:
            exps.append(expectation("not_null", item.name, level=ROW, mostly=row_mostly))
        if item.allowed_values:
            exps.append(
                expectation("in_set", item.name, item.allowed_values, level=ROW, mostly=row_mostly)
            )
        elif rule is StandardizeRule.sex:
            exps.append(expectation("in_set", item.name, SEX_CODES, level=ROW, mostly=row_mostly))
        if rule is StandardizeRule.division:
            exps.append(
                expectation("regex", item.name, DIVISION_PATTERN, level=ROW, mostly=row_mostly)
            )
    for key in q.unique_key:
        exps.append(
            expectation(
                "unique", key, level=ROW, mostly=row_mostly, only_where_null="_duplicate_of"
            )
        )
    # cross-field consistency: the person's own birth date and sex against their resident ID
    if len(rid_items) == 1:
        rid = rid_items[0]
        for item in entry.items:
            if item.pii in (PiiClass.birth_date, PiiClass.sex):
                suffix = "birth_date" if item.pii is PiiClass.birth_date else "sex"
                exps.append(
                    expectation(
                        "pair_equal",
                        item.name,
                        f"{rid}_{suffix}",
                        level=BATCH,
                        mostly=1.0 - q.max_inconsistent_rate,
                        group=f"consistency:{item.name}",
                        max_rate=q.max_inconsistent_rate,
                        dimension="accuracy",
                    )
                )
    max_age = q.freshness_days if q.freshness_days is not None else entry.update_cycle.max_age_days
    if max_age is not None:
        exps.append(
            {
                "type": "expect_column_max_to_be_between",
                "kwargs": {"column": "_loaded_at", "min_value": {"$PARAMETER": "fresh_since"}},
                "meta": {
                    "jutong": {
                        "key": "fresh:_loaded_at",
                        "level": BATCH if q.block_stale else INFO,
                        "dimension": "timeliness",
                        "max_age_days": max_age,
                    }
                },
            }
        )
    return {
        "name": entry.id,
        "expectations": exps,
        "meta": {
            "jutong": {
                "catalog_id": entry.id,
                "generated_from": f"catalog/{entry.department}/{entry.dataset}.yaml",
                "max_failed_row_rate": q.max_failed_row_rate,
                "grace_rows": q.grace_rows,
                "max_invalid_id_rate": q.max_invalid_id_rate,
                "max_inconsistent_rate": q.max_inconsistent_rate,
                "max_age_days": max_age,
            }
        },
        "notes": {
            "format": "markdown",
            "content": [
                f"Generated from the resource catalog entry `{entry.id}` ({entry.title}) by "
                "`jutong quality suites --write`; do not edit, add to "
                f"`expectations/additions/{entry.id}.json` instead."
            ],
        },
    }


def load_additions(root: Path, entry_id: str) -> list[dict]:
    path = additions_path(root, entry_id)
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SuiteError(f"{path}: not valid JSON: {exc}") from None
    exps = data.get("expectations") if isinstance(data, dict) else None
    if not isinstance(exps, list):
        raise SuiteError(f"{path}: expected an object with a list 'expectations'")
    for i, e in enumerate(exps):
        if not isinstance(e, dict) or "type" not in e or not isinstance(e.get("kwargs", {}), dict):
            raise SuiteError(f"{path}: expectations[{i}]: needs 'type' and 'kwargs'")
        meta = e.setdefault("meta", {}).setdefault("jutong", {})
        meta.setdefault("key", f"addition:{i}:{e['type']}")
        meta.setdefault("origin", "addition")
    return exps


def merge(generated: dict, additions: list[dict]) -> dict:
    out = json.loads(json.dumps(generated))
    by_key = {e["meta"]["jutong"]["key"]: i for i, e in enumerate(out["expectations"])}
    for a in additions:
        k = a["meta"]["jutong"]["key"]
        if k in by_key:
            out["expectations"][by_key[k]] = a
        else:
            out["expectations"].append(a)
    return out


def suite_for(entry: CatalogEntry, settings: Settings | None = None) -> dict:
    """The suite the gate runs: generated from the entry, plus its hand-written additions."""
    root = expectations_dir(settings)
    return merge(generate_suite(entry), load_additions(root, entry.id))


def render(suite: dict) -> str:
    return json.dumps(suite, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def write_suites(catalog, root: Path = REPO_EXPECTATIONS) -> list[Path]:
    """Write every generated suite (the additions are not merged in: they stay beside)."""
    out = []
    for entry in catalog:
        path = suite_path(root, entry.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(generate_suite(entry)), encoding="utf-8")
        out.append(path)
    return out


def stale_suites(catalog, root: Path = REPO_EXPECTATIONS) -> list[str]:
    """Catalog ids whose committed suite differs from what the catalog generates now, and
    committed suites no catalog entry generates."""
    stale = []
    ids = set()
    for entry in catalog:
        ids.add(entry.id)
        path = suite_path(root, entry.id)
        if not path.exists() or path.read_text(encoding="utf-8") != render(generate_suite(entry)):
            stale.append(entry.id)
    folder = root / "gx" / "expectations"
    if folder.is_dir():
        stale += sorted(p.stem for p in folder.glob("*.json") if p.stem not in ids)
    return stale
