"""The residual PII scan: the last check before a release is written.

Every string column of the output goes through the analyzer; any detected resident ID, mobile
number or bank card refuses the release, naming column, row and entity (masked).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from jutong.catalog.releases import ReleaseDefinition
from jutong.governance.releases import ReleaseRefused
from masking import columns as C

# A detected personal identifier refuses the release. Credit codes of organisations are public
# register data and are not in this set.
REFUSAL_ENTITIES = ("CN_RESIDENT_ID", "CN_MOBILE", "CN_BANK_CARD")


def residual_scan(table: pa.Table) -> list[dict]:
    """Every string column through the analyzer: a vectorized prefilter picks the values
    with a long run of digits, the analyzer (Presidio) checks them for ``REFUSAL_ENTITIES``."""
    from masking.analyzer import analyze

    findings: list[dict] = []
    for name in table.column_names:
        arr = C.as_array(table.column(name))
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            continue
        norm = pc.utf8_normalize(arr.cast(pa.string()), "NFKC")
        cand = pc.fill_null(
            pc.match_substring_regex(norm, r"[0-9][0-9\s\-]{9,}[0-9Xx]"), False
        ).to_numpy(zero_copy_only=False)
        rows = cand.nonzero()[0]
        if not len(rows):
            continue
        texts = arr.take(pa.array(rows)).to_pylist()
        seen: dict[str, list] = {}
        for row, text in zip(rows.tolist(), texts, strict=True):
            if text not in seen:
                seen[text] = analyze(text, entities=list(REFUSAL_ENTITIES))
            for r in seen[text]:
                found = text[r.start : r.end]
                findings.append(
                    {
                        "column": name,
                        "row": row + 1,
                        "entity": r.entity_type,
                        "value": C.keep_ends(pa.array([found]), 1, 1)[0].as_py(),
                    }
                )
    return findings


def check_residual(d: ReleaseDefinition, out: pa.Table, report: dict) -> None:
    """Scan ``out``, add the result to ``report``; raise ``ReleaseRefused`` on any finding."""
    findings = residual_scan(out)
    report["residual_scan"] = {
        "entities": list(REFUSAL_ENTITIES),
        "columns_scanned": [
            f.name
            for f in out.schema
            if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
        ],
        "findings": findings[:50],
        "passed": not findings,
    }
    if findings:
        first = findings[0]
        raise ReleaseRefused(
            f"release '{d.id}' refused by the residual PII scan: {len(findings)} finding(s), "
            f"first: column '{first['column']}', row {first['row']}, {first['entity']} "
            f"({first['value']})",
            report,
        )
