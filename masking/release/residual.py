"""The residual PII scan: the last check before a release (or a masked file) is written.

Every string column of the output goes through the analyzer (a vectorized prefilter first);
a resident ID, mobile number or bank card, or the credit code of an individual business
(个体工商户, ``92…``: it identifies a person), refuses the release, naming column, row and
entity (masked).

The scan knows from the release definition and the catalog what each column holds
(``ColumnPolicy.holds``): in a column of credit codes or registration numbers (``uscc``) or of
persons' and organisations' identifiers (``party_id``), a cell that is a valid code of that kind
is that code, not a resident ID that happens to share its digits (a 15-digit registration
number looks like a legacy ID); only its individual-business codes are findings. Any other
cell of such a column, and every cell of a free-text or unknown column, is scanned fully.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jutong.catalog.releases import ReleaseDefinition
from jutong.governance.releases import ReleaseRefused
from masking import columns as C

# A detected personal identifier refuses the release. Credit codes of organisations are public
# register data and are not in this set; those of individual businesses are.
REFUSAL_ENTITIES = ("CN_RESIDENT_ID", "CN_MOBILE", "CN_BANK_CARD")
INDIVIDUAL_BUSINESS = "CN_USCC_INDIVIDUAL_BUSINESS"
#: column kinds (``ColumnPolicy.holds``) whose valid codes are taken as what they are
CODE_KINDS = frozenset({"uscc", "party_id"})
_CANDIDATE = r"[0-9][0-9\s\-]{9,}[0-9Xx]|9\s?2(?:[\s\-]?[0-9A-Za-z]){16}"


def _valid_codes(arr: pa.Array) -> np.ndarray:
    """Rows holding a valid credit code or legacy registration number (GB 32100, GB 12264)."""
    from jutong.identifiers.uscc import check_usccs

    return np.asarray(check_usccs(arr).valid, dtype=bool)


def _finding(column: str, row: int, entity: str, found: str) -> dict:
    return {
        "column": column,
        "row": row + 1,
        "entity": entity,
        "value": C.keep_ends(pa.array([found]), 1, 1)[0].as_py(),
    }


def residual_scan(table: pa.Table, holds: Mapping[str, str | None] | None = None) -> list[dict]:
    """Findings in every string column; ``holds``: the identifier kind of a column by its
    catalog item (see the module docstring), absent or None for free text and unknown."""
    from masking.analyzer import analyze

    holds = holds or {}
    wanted = [*REFUSAL_ENTITIES, "CN_USCC"]
    findings: list[dict] = []
    for name in table.column_names:
        arr = C.as_array(table.column(name))
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            continue
        arr = arr.cast(pa.string())
        skip = np.zeros(len(arr), dtype=bool)
        individual = pc.fill_null(C.is_individual_business(arr), False).to_numpy(
            zero_copy_only=False
        )
        if holds.get(name) in CODE_KINDS:
            valid = _valid_codes(arr)
            for row in np.nonzero(valid & individual)[0].tolist():
                findings.append(_finding(name, row, INDIVIDUAL_BUSINESS, arr[row].as_py()))
            skip = valid
        norm = pc.utf8_normalize(arr, "NFKC")
        cand = pc.fill_null(pc.match_substring_regex(norm, _CANDIDATE), False).to_numpy(
            zero_copy_only=False
        )
        rows = np.nonzero(cand & ~skip)[0]
        if not len(rows):
            continue
        texts = arr.take(pa.array(rows)).to_pylist()
        seen: dict[str, list] = {}
        for row, text in zip(rows.tolist(), texts, strict=True):
            if text not in seen:
                seen[text] = analyze(text, entities=wanted)
            for r in seen[text]:
                found = text[r.start : r.end]
                entity = r.entity_type
                if entity == "CN_USCC":
                    if not C.is_individual_business(pa.array([found]))[0].as_py():
                        continue
                    entity = INDIVIDUAL_BUSINESS
                findings.append(_finding(name, row, entity, found))
    return findings


def check_residual(
    d: ReleaseDefinition,
    out: pa.Table,
    report: dict,
    holds: Mapping[str, str | None] | None = None,
) -> None:
    """Scan ``out``, add the result to ``report``; raise ``ReleaseRefused`` on any finding."""
    findings = residual_scan(out, holds)
    report["residual_scan"] = {
        "entities": [*REFUSAL_ENTITIES, INDIVIDUAL_BUSINESS],
        "columns_scanned": [
            f.name
            for f in out.schema
            if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
        ],
        "columns_by_kind": {c: k for c, k in (holds or {}).items() if k and c in out.column_names},
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
