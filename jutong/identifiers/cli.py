"""``jutong ids check``: check one identifier column of a file, for quality owners.

    jutong ids check INPUT --column C --kind resident_id|uscc --out OUTPUT
                     [--encoding auto|utf-8|gbk] [--sheet NAME] [--as-of DATE]

Reads CSV (UTF-8 or GBK: ``auto`` tries UTF-8 strictly, then GB 18030, the superset of GBK),
Excel (.xlsx) or Parquet, every value as text (IDs never become floats or lose leading zeros),
and writes OUTPUT (format by its extension; a CSV keeps the input's encoding) with the columns
``C_normalized``, ``C_valid`` (true/false) and ``C_reasons`` (semicolon-joined) added, plus
``C_kind`` for credit codes (uscc / legacy_regno / legacy_orgcode); in a CSV or Excel output
a text cell starting with = + - @ tab or CR gets a leading apostrophe (CSV injection,
``jutong.text.formulas``). Prints the counts per reason, warning and repair. Exit code 0 even when rows are invalid; 2 with a one-line message
when the input cannot be read, a format is unknown or the column is missing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa

from jutong.identifiers import _columns as C
from jutong.identifiers import resident_id, uscc
from jutong.outputs import refuse_overwrite
from jutong.tabular import FORMATS, TabularError, format_of, read_table

PROG = "jutong ids check"


class CheckError(Exception):
    """A failure reported as one line and exit code 2."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``ids`` command group with its ``check`` sub-command to ``subparsers``."""
    ids = subparsers.add_parser("ids", help="identifier checks (resident ID, credit code)")
    ids_sub = ids.add_subparsers(dest="ids_command", metavar="COMMAND")
    ids_sub.required = True
    check = ids_sub.add_parser(
        "check",
        help="validate one identifier column of a CSV/Excel/Parquet file",
        description=__doc__.split("\n\n")[2] if __doc__ else None,
    )
    check.add_argument("input", metavar="INPUT", help="CSV, Excel (.xlsx) or Parquet file")
    check.add_argument("--column", "-c", required=True, help="column holding the identifiers")
    check.add_argument("--kind", "-k", required=True, choices=("resident_id", "uscc"))
    check.add_argument("--out", "-o", required=True, metavar="OUTPUT", help="output file")
    check.add_argument("--encoding", default="auto", choices=("auto", "utf-8", "gbk"))
    check.add_argument("--sheet", default=None, help="Excel sheet (default: the first)")
    check.add_argument(
        "--as-of",
        default=None,
        metavar="DATE",
        help="birth dates after this date are rejected (default: today)",
    )
    check.set_defaults(func=handler)


def handler(args: argparse.Namespace) -> int:
    try:
        report = run_check(
            Path(args.input),
            column=args.column,
            kind=args.kind,
            out=Path(args.out),
            encoding=args.encoding,
            sheet=args.sheet,
            as_of=args.as_of,
        )
    except CheckError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    print(report)
    return 0


# ---- reading and writing ----------------------------------------------------------------


def _format_of(path: Path, role: str) -> str:
    fmt = format_of(path)
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise CheckError(f"{role} {path}: unknown format '{path.suffix}' (known: {known})")
    return fmt


def read_input(path: Path, encoding: str, sheet: str | None) -> tuple[pa.Table, str, str | None]:
    """The file as an Arrow table of text columns (Parquet keeps its types), its format, encoding
    (``jutong.tabular``; ``gbk`` reads GB 18030, its superset)."""
    _format_of(path, "input")
    try:
        t = read_table(path, encoding="gb18030" if encoding == "gbk" else encoding, sheet=sheet)
    except TabularError as exc:
        raise CheckError(f"cannot read {exc}") from None
    return t.table, t.format, t.encoding


def write_output(table: pa.Table, path: Path, encoding: str | None, sheet: str | None) -> None:
    fmt = _format_of(path, "output")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(table, path)
            return
        from jutong.text.formulas import neutralize_table

        frame = neutralize_table(table)[0].to_pandas()  # a file people open: no formula runs
        if fmt == "csv":
            for name in frame.columns:
                if frame[name].dtype == bool:
                    frame[name] = np.where(frame[name], "true", "false")
            frame.to_csv(path, index=False, encoding=encoding or "utf-8")
        else:
            frame.to_excel(path, index=False, sheet_name=sheet or "Sheet1", engine="openpyxl")
    except Exception as exc:  # noqa: BLE001
        raise CheckError(f"cannot write {path}: {exc}") from None


# ---- the check --------------------------------------------------------------------------


def run_check(
    input_path: Path,
    *,
    column: str,
    kind: str,
    out: Path,
    encoding: str = "auto",
    sheet: str | None = None,
    as_of: str | dt.date | None = None,
) -> str:
    """Check the column, write OUTPUT, return the printed report (raises CheckError)."""
    _format_of(out, "output")
    refuse_overwrite(input_path, out)  # OverwriteError: the input is never overwritten
    if as_of is None:
        as_of = dt.date.today()  # the CLI is the edge: the rule itself never reads the clock
    try:
        resident_id.as_of_number(as_of)
    except (ValueError, TypeError):
        raise CheckError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from None
    table, fmt, enc = read_input(input_path, encoding, sheet)
    if column not in table.column_names:
        cols = ", ".join(table.column_names) or "(none)"
        raise CheckError(f"{input_path} has no column '{column}' (columns: {cols})")
    values = C.as_string_array(table.column(column))

    if kind == "resident_id":
        res = resident_id.check_resident_ids(values, as_of)
        codes = resident_id
    else:
        res = uscc.check_usccs(values)
        codes = uscc
    added = {
        f"{column}_normalized": res.normalized.cast(pa.string()),
        f"{column}_valid": pa.array(res.valid, pa.bool_()),
        f"{column}_reasons": pa.array(C.joined_codes(codes.REASONS, res.reason_bits), pa.string()),
    }
    if kind == "uscc":
        added[f"{column}_kind"] = C.decode_small_ints(
            res.kind_code, ("", *uscc.KINDS), res.kind_code == 0
        )
    for name, arr in added.items():
        if name in table.column_names:
            table = table.drop_columns([name])
        table = table.append_column(name, arr)
    write_output(table, out, enc, sheet)
    return _report(input_path, out, column, kind, res)


def _report(input_path: Path, out: Path, column: str, kind: str, res) -> str:
    n = len(res)
    n_valid = int(np.count_nonzero(res.valid))
    counts = res.counts()
    lines = [
        f"{input_path} [{column}, {kind}]: {n} rows, {n_valid} valid, {n - n_valid} invalid",
        f"written: {out}",
    ]
    for section in ("kinds", "reasons", "warnings", "repairs"):
        items = {k: v for k, v in counts.get(section, {}).items() if v}
        if items:
            lines.append(f"{section}:")
            lines.extend(f"  {k:<20} {v}" for k, v in sorted(items.items(), key=lambda kv: -kv[1]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m jutong.identifiers.cli ids check ...``) for tests."""
    parser = argparse.ArgumentParser(prog="jutong")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
