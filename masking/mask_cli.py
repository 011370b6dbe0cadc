"""``jutong pii mask INPUT OUTPUT --policy open|share [--free-text COLUMN ...]``: mask an ad-hoc file.

Structured columns are masked as whole columns (``masking.columns``) by their catalog item
(matched by header: item name, source column or label) or by type inference from their values;
the named free-text columns go through the Presidio analyzer (``masking.analyzer``). Any other
text column in which the analyzer finds a resident ID, mobile, bank card or credit code is
treated as free text too. The output is checked again before it is written: a resident ID,
mobile or bank card left anywhere refuses the output (exit 3) and nothing is written
(GX-Reg art. 25; GX-Open art. 19; PIPL art. 73).

Formats by suffix: ``.csv`` (UTF-8 or GB 18030 in, UTF-8 out), ``.xlsx``, ``.parquet``,
``.txt`` (one text per line: a single free-text column ``text``), ``.jsonl``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from jutong.outputs import refuse_overwrite

TEXT_FORMATS = (".txt", ".jsonl")
CANDIDATE = r"[0-9０-９][0-9０-９\s\-－]{9,}[0-9０-９XxＸｘ]|[0-9A-HJ-NP-RTUW-Y]{18}"


class MaskError(Exception):
    """Input or output that cannot be used; the message names the file."""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "mask",
        help="mask an ad-hoc file (CSV, Excel, Parquet, text) for sharing or opening",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    p.add_argument("input", type=Path, metavar="INPUT")
    p.add_argument("output", type=Path, metavar="OUTPUT")
    p.add_argument(
        "--policy",
        choices=("open", "share"),
        required=True,
        help="open: to the public (anonymize); share: to another department",
    )
    p.add_argument(
        "--free-text",
        nargs="+",
        default=[],
        metavar="COLUMN",
        help="columns of free text to redact with the Presidio analyzer",
    )
    p.add_argument("--sheet", default=None, help="Excel sheet (default: the first)")
    p.add_argument("--report", type=Path, default=None, help="write the masking report (JSON)")
    p.add_argument(
        "--no-catalog",
        action="store_true",
        help="do not match headers against the resource catalog",
    )
    p.set_defaults(func=handler)


def read_table(path: Path, sheet: str | None) -> tuple[pa.Table, list[str]]:
    """The input as a table, and the columns that are free text by their format."""
    from jutong.tabular import TabularError
    from jutong.tabular import read_table as read_tabular

    if not path.exists():
        raise MaskError(f"cannot read {path}: no such file")
    if not path.is_file():
        raise MaskError(f"cannot read {path}: not a file")
    suffix = path.suffix.lower()
    if suffix in TEXT_FORMATS:
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise MaskError(f"cannot read {path}: not UTF-8 text (byte {exc.start})") from None
        lines = text.splitlines()
        if suffix == ".txt":
            return pa.table({"text": pa.array(lines, pa.string())}), ["text"]
        rows = []
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise MaskError(f"cannot read {path}: line {n}: not JSON ({exc.msg})") from None
            if not isinstance(obj, dict):
                raise MaskError(f"cannot read {path}: line {n}: expected a JSON object")
            rows.append(obj)
        try:
            return pa.Table.from_pylist(rows), []
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise MaskError(f"cannot read {path}: {exc}") from None
    try:
        return read_tabular(path, sheet=sheet).table, []
    except TabularError as exc:
        raise MaskError(f"cannot read {exc}") from None


def write_table(table: pa.Table, path: Path, sheet: str | None) -> None:
    from jutong.identifiers.cli import CheckError, write_output

    suffix = path.suffix.lower()
    try:
        if suffix == ".txt":
            if table.num_columns != 1:
                raise MaskError(f"cannot write {path}: a .txt output holds one text column")
            values = table.column(0).to_pylist()
            path.write_text(
                "".join(f"{v if v is not None else ''}\n" for v in values), encoding="utf-8"
            )
            return
        if suffix == ".jsonl":
            with open(path, "w", encoding="utf-8") as f:
                for row in table.to_pylist():
                    f.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
            return
        write_output(table, path, "utf-8", sheet)
    except CheckError as exc:
        raise MaskError(str(exc)) from None
    except OSError as exc:
        raise MaskError(f"cannot write {path}: {exc.strerror}") from None


def _string_columns(table: pa.Table) -> list[str]:
    return [
        f.name
        for f in table.schema
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
    ]


def _has_checksummed_pii(values: pa.Array) -> bool:
    """Does the analyzer find a checksummed identifier in any value? (prefilter first)"""
    from masking.analyzer import CHECKSUMMED, analyze
    from masking.columns import as_strings

    arr = as_strings(values)
    cand = pc.fill_null(pc.match_substring_regex(arr, CANDIDATE), False)
    texts = pc.unique(arr.filter(cand)).to_pylist()
    return any(analyze(t, entities=sorted(CHECKSUMMED)) for t in texts if t)


def mask_file(
    input_path: Path,
    output_path: Path,
    policy: str,
    free_text: list[str],
    *,
    sheet: str | None = None,
    use_catalog: bool = True,
) -> dict:
    """Mask one file; returns the report. Raises MaskError (bad input) or MaskRefused."""
    refuse_overwrite(input_path, output_path)  # OverwriteError: the input is never overwritten
    from masking.policies import Action, PolicyError, apply_policies, policies_for_file
    from masking.release.residual import residual_scan

    table, text_columns = read_table(input_path, sheet)
    catalog = None
    if use_catalog:
        from jutong.catalog import load_catalog
        from jutong.settings import get_settings

        try:
            catalog = load_catalog(get_settings().catalog_dir)
        except Exception:  # noqa: BLE001 - an ad-hoc file can be masked without a catalog
            catalog = None
    try:
        policies = policies_for_file(
            table,
            policy,
            catalog=catalog,
            free_text=[*free_text, *text_columns],
            as_of=dt.date.today(),
        )
    except PolicyError as exc:
        raise MaskError(f"{input_path}: {exc}") from None
    strings = set(_string_columns(table))
    for i, p in enumerate(policies):
        unknown_text = p.action is Action.keep and p.source == "inferred" and p.pii == "none"
        if unknown_text and p.column in strings and _has_checksummed_pii(table.column(p.column)):
            policies[i] = replace(
                p,
                action=Action.redact_text,
                pii="free_text",
                reason="identifiers found by the analyzer: redacted as free text",
            )
    result = apply_policies(table, policies, as_of=dt.date.today())
    findings = residual_scan(result.table, {p.column: p.holds for p in policies})
    report = {
        "input": str(input_path),
        "output": str(output_path),
        "policy": policy,
        "rows": table.num_rows,
        "columns": result.report(),
        "dropped": result.dropped,
        "residual_findings": findings[:50],
    }
    if findings:
        f = findings[0]
        raise MaskRefused(
            f"{input_path}: {len(findings)} identifier(s) left after masking, first: column "
            f"'{f['column']}', row {f['row']}, {f['entity']} ({f['value']}); nothing written",
            report,
        )
    write_table(result.table, output_path, sheet)
    return report


class MaskRefused(Exception):
    def __init__(self, message: str, report: dict):
        super().__init__(message)
        self.report = report


def handler(args: argparse.Namespace) -> int:
    try:
        report = mask_file(
            args.input,
            args.output,
            args.policy,
            list(args.free_text),
            sheet=args.sheet,
            use_catalog=not args.no_catalog,
        )
    except MaskError as exc:
        print(f"jutong pii mask: {exc}", file=sys.stderr)
        return 2
    except MaskRefused as exc:
        print(f"jutong pii mask: refused: {exc}", file=sys.stderr)
        if args.report:
            args.report.write_text(
                json.dumps(exc.report, ensure_ascii=False, indent=2), encoding="utf-8"
            )
        return 3
    if args.report:
        args.report.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"{args.input} → {args.output}: {report['rows']} rows, policy {args.policy}")
    for c in report["columns"]:
        what = c["action"] + (f":{c['mask']}" if c.get("mask") else "")
        changed = c.get("rows_changed")
        extra = f", {changed} rows changed" if changed is not None else ""
        print(f"  {c['column']}: {what}{extra} ({c.get('reason', '')})")
    return 0
