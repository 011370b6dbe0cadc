"""``jutong pii mask INPUT OUTPUT --policy open|share [--free-text COLUMN ...]``: mask an ad-hoc file.

Structured columns are masked as whole columns (``masking.columns``) by their catalog item
(matched by header: item name, source column or label) or by type inference from their values;
the named free-text columns go through the Presidio analyzer (``masking.analyzer``). Any other
text column in which the analyzer finds a resident ID, mobile, bank card or credit code is
treated as free text too. The output is checked again before it is written: a resident ID,
mobile or bank card left anywhere refuses the output (exit 3) and nothing is written
(GX-Reg art. 25; GX-Open art. 19; PIPL art. 73).

``--policy open`` runs the anonymity gate of person-level releases (``masking.file_anonymity``):
a date column that gives a birth date away (within 60 days of it in some row) is cut to the
year and becomes a quasi-identifier; the quasi-identifiers (sex, ethnicity, birth band, county,
such dates) are generalized and rare rows suppressed until k-anonymity holds (``--k``, default
5; ``--max-suppressed``, default 0.05), or the output is refused with the report (exit 3).
``--policy share --purpose NAME`` replaces resident IDs by keyed pseudonyms of that purpose
(``masking.keys``: ``JUTONG_KEY_<NAME>`` or ``<key_dir>/<name>.key``), as releases do: the same
person gets the same token within one purpose and unrelated tokens in another.

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
    p.add_argument(
        "--purpose",
        default=None,
        metavar="NAME",
        help="share: replace resident IDs by keyed pseudonyms of this purpose (its key: "
        "JUTONG_KEY_<NAME> or <key_dir>/<name>.key)",
    )
    p.add_argument("--k", type=int, default=5, help="open: k of the k-anonymity gate (default 5)")
    p.add_argument(
        "--max-suppressed",
        type=float,
        default=0.05,
        metavar="SHARE",
        help="open: most rows the anonymity gate may suppress, a share (default 0.05)",
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
    purpose: str | None = None,
    k: int = 5,
    max_suppressed: float = 0.05,
) -> dict:
    """Mask one file; returns the report. Raises MaskError (bad input) or MaskRefused."""
    refuse_overwrite(input_path, output_path)  # OverwriteError: the input is never overwritten
    from masking import file_anonymity as A
    from masking.anonymity import AnonymityError
    from masking.policies import Action, PolicyError, apply_policies, policies_for_file
    from masking.release.residual import residual_scan

    if purpose is not None and policy != "share":
        raise MaskError(
            "--purpose gives keyed pseudonyms to a share; an open file drops identifiers"
        )
    if policy == "open" and (k < 2 or not 0 <= max_suppressed < 1):
        raise MaskError("--k must be at least 2 and --max-suppressed in [0, 1)")

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
    revealing: dict[str, dict] = {}
    if policy == "open":
        revealing = A.birth_revealing_dates(table, policies, A.birth_dates(table, policies))
        policies = A.as_quasi_identifiers(policies, revealing)
    policies, key = _pseudonyms(policies, purpose, input_path)
    result = apply_policies(table, policies, key=key, as_of=dt.date.today())
    report = {
        "input": str(input_path),
        "output": str(output_path),
        "policy": policy,
        "rows": table.num_rows,
        "columns": result.report(),
        "dropped": result.dropped,
    }
    if key is not None:
        report["pseudonym_key"] = {"purpose": purpose, "fingerprint": result.key_fingerprint}
    out = result.table
    if policy == "open":
        try:
            out, krep = A.anonymity_gate(out, policies, k, max_suppressed=max_suppressed)
        except AnonymityError as exc:
            report["anonymity"] = {**exc.report, "birth_revealing_dates": revealing}
            raise MaskRefused(
                f"{input_path}: refused by the anonymity gate: {exc}; nothing written", report
            ) from None
        report["anonymity"] = (
            {"method": "k-anonymity", **krep.to_dict(), "birth_revealing_dates": revealing}
            if krep
            else None
        )
        report["rows_out"] = out.num_rows
    findings = residual_scan(out, {p.column: p.holds for p in policies})
    report["residual_findings"] = findings[:50]
    if findings:
        f = findings[0]
        raise MaskRefused(
            f"{input_path}: {len(findings)} identifier(s) left after masking, first: column "
            f"'{f['column']}', row {f['row']}, {f['entity']} ({f['value']}); nothing written",
            report,
        )
    write_table(out, output_path, sheet)
    return report


def _pseudonyms(policies: list, purpose: str | None, input_path: Path) -> tuple[list, bytes | None]:
    """With a purpose, resident-ID columns get keyed pseudonyms of that purpose; the key of
    every pseudonym policy. A pseudonym without a purpose, or a purpose without its key, is a
    ``MaskError``."""
    from masking.keys import KeyError_, load_key
    from masking.policies import Action

    if purpose is not None:
        policies = [
            replace(
                p,
                action=Action.pseudonym,
                mask=None,
                reason=f"resident ID: keyed pseudonym of purpose '{purpose}'",
            )
            if p.pii == "resident_id" and p.action in (Action.mask, Action.pseudonym)
            else p
            for p in policies
        ]
    needing = [p.column for p in policies if p.action is Action.pseudonym]
    if not needing:
        return policies, None
    if purpose is None:
        raise MaskError(
            f"{input_path}: column(s) {', '.join(needing)} need a keyed pseudonym: give "
            "--purpose NAME (its key: JUTONG_KEY_<NAME> or <key_dir>/<name>.key)"
        )
    from jutong.settings import get_settings

    try:
        return policies, load_key(get_settings(), purpose)
    except KeyError_ as exc:
        raise MaskError(str(exc)) from None


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
            purpose=args.purpose,
            k=args.k,
            max_suppressed=args.max_suppressed,
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
    if report.get("pseudonym_key"):
        pk = report["pseudonym_key"]
        print(f"  pseudonyms: purpose {pk['purpose']}, key {pk['fingerprint']}")
    an = report.get("anonymity")
    if an:
        levels = ", ".join(f"{c}: {g}" for c, g in an["generalization"].items())
        print(
            f"  k-anonymity k={an['k']} over {levels}; {an['rows_suppressed']} rows suppressed, "
            f"{an['rows_out']} rows written, smallest class {an['smallest_class']}"
        )
    return 0
