"""The anonymity gate of open releases (GX-Reg art. 25; GX-Open art. 19; SX-Reg art. 15;
PIPL art. 73: only anonymized data stops being personal information).

* **Record releases**: the declared quasi-identifiers must reach k-anonymity (k from the
  catalog's ``open.k``, default 5): every combination of their values is shared by at least k
  rows. Quasi-identifiers are generalized step by step (5-year band → 10 → 20 → ``*``; county →
  city → province → ``*``; a category → ``*``), always raising the one with the most distinct
  values (Datafly), until the rows in classes smaller than k are few enough to suppress
  (``max_suppressed``, default 5 % of the rows); those rare rows are then removed. If that is
  impossible within the allowed generalization, the release is refused (``AnonymityError``).
* **Aggregate releases**: counts below a threshold (default 5, zeros excepted) are suppressed
  (primary), and further cells are suppressed (secondary) until no line of the table — fixing
  all dimensions but one — holds exactly one suppressed cell, so no suppressed cell can be
  recomputed from a row or column total published elsewhere.

Both return a report of what was done; ``check_k_anonymity`` is the final gate on the output.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from masking import columns as C

NULL_KEY = "∅"
ANY = "*"


class AnonymityError(RuntimeError):
    """The data cannot be released at the required anonymity; ``report`` says why."""

    def __init__(self, message: str, report: dict | None = None):
        super().__init__(message)
        self.report = report or {}


# ---- generalization hierarchies -----------------------------------------------------------------
KINDS = ("band", "year", "division", "address", "category")
_MAX_LEVEL = {"band": 3, "year": 4, "division": 3, "address": 3, "category": 1}


@dataclass(frozen=True)
class QuasiIdentifier:
    column: str
    kind: str = "category"  # band | year | division | address | category
    max_level: int | None = None  # None = may go up to '*'

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(
                f"quasi-identifier '{self.column}': unknown kind '{self.kind}' "
                f"(kinds: {', '.join(KINDS)})"
            )

    @property
    def top(self) -> int:
        top = _MAX_LEVEL[self.kind]
        return top if self.max_level is None else min(top, self.max_level)


def _strings(values: object) -> pa.Array:
    return pc.fill_null(C.as_strings(values), NULL_KEY)


def _widen_bands(values: pa.Array, width: int) -> pa.Array:
    """``1985-1989`` / ``30-34`` → the band of ``width`` containing it; ``85+`` stays."""
    parts = pc.extract_regex(values, r"^(?P<lo>[0-9]+)-(?P<hi>[0-9]+)$")
    lo = pc.cast(pc.struct_field(parts, "lo"), pa.int64())
    new_lo = pc.multiply(pc.divide(lo, width), width)
    label = C._join(
        pc.cast(new_lo, pa.string()),
        pa.scalar("-"),
        pc.cast(pc.add(new_lo, width - 1), pa.string()),
    )
    return pc.if_else(pc.is_valid(parts), label, values)


def _address_level(values: pa.Array, level: int) -> pa.Array:
    """Address already cut to the county → city (level 1) → province (level 2)."""
    pattern = C.division_prefix_pattern({1: "city", 2: "province"}[level])
    head = pc.struct_field(pc.extract_regex(values, pattern), "head")
    return pc.fill_null(head, ANY)


def generalize(values: object, qi: QuasiIdentifier, level: int) -> pa.Array:
    """The values of ``qi`` at generalization ``level`` (0 = as given), as strings."""
    arr = C.as_array(values)
    if level <= 0:
        return _strings(arr)
    if level >= _MAX_LEVEL[qi.kind]:
        return pc.if_else(pc.is_null(arr), pa.scalar(NULL_KEY), pa.scalar(ANY))
    s = C.as_strings(arr)
    if qi.kind == "band":
        out = _widen_bands(s, {1: 10, 2: 20}[level])
    elif qi.kind == "year":
        y = pc.cast(arr, pa.int64())
        width = {1: 5, 2: 10, 3: 20}[level]
        lo = pc.multiply(pc.divide(y, width), width)
        out = C._join(
            pc.cast(lo, pa.string()), pa.scalar("-"), pc.cast(pc.add(lo, width - 1), pa.string())
        )
    elif qi.kind == "division":
        out = C.division_level(s, {1: "city", 2: "province"}[level])
    elif qi.kind == "address":
        out = _address_level(s, level)
    else:  # category: level 1 is already '*'
        out = s
    return pc.fill_null(out, NULL_KEY)


# ---- k-anonymity ----------------------------------------------------------------------------------
def class_sizes(table: pa.Table, columns: Sequence[str]) -> np.ndarray:
    """For each row, how many rows share its combination of ``columns``."""
    if table.num_rows == 0:
        return np.zeros(0, dtype=np.int64)
    keys = pa.table({f"q{i}": _strings(table.column(c)) for i, c in enumerate(columns)})
    encoded = [pc.dictionary_encode(keys.column(i)).combine_chunks() for i in range(len(columns))]
    codes = np.zeros(table.num_rows, dtype=np.int64)
    for enc in encoded:
        idx = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        codes = codes * (len(enc.dictionary) + 1) + idx
    _, inverse, counts = np.unique(codes, return_inverse=True, return_counts=True)
    return counts[inverse]


@dataclass
class KAnonymityReport:
    k: int
    quasi_identifiers: list[str]
    levels: dict[str, int]
    generalization: dict[str, str]
    rows_in: int
    rows_suppressed: int
    rows_out: int
    classes: int
    smallest_class: int
    max_suppressed: float
    steps: list[str] = field(default_factory=list)
    passed: bool = True

    def to_dict(self) -> dict:
        return asdict(self)


def _describe_level(qi: QuasiIdentifier, level: int) -> str:
    names = {
        "band": ["as given", "10-year band", "20-year band", "*"],
        "year": ["year", "5-year band", "10-year band", "20-year band", "*"],
        "division": ["county", "city", "province", "*"],
        "address": ["county", "city", "province", "*"],
        "category": ["as given", "*"],
    }[qi.kind]
    return names[min(level, len(names) - 1)]


def k_anonymize(
    table: pa.Table,
    quasi_identifiers: Sequence[QuasiIdentifier],
    k: int = 5,
    *,
    max_suppressed: float = 0.05,
) -> tuple[pa.Table, KAnonymityReport]:
    """Generalize and suppress until every quasi-identifier class has at least ``k`` rows.

    Raises ``AnonymityError`` when the rows below k exceed ``max_suppressed`` (a fraction of
    the rows) even at the highest generalization each quasi-identifier allows."""
    if k < 2:
        raise ValueError("k must be at least 2")
    qis = list(quasi_identifiers)
    missing = [q.column for q in qis if q.column not in table.column_names]
    if missing:
        raise AnonymityError(f"quasi-identifier column(s) not in the data: {', '.join(missing)}")
    n = table.num_rows
    levels = {q.column: 0 for q in qis}
    steps: list[str] = []
    allowed = int(np.floor(max_suppressed * n))

    def generalized() -> pa.Table:
        out = table
        for q in qis:
            if levels[q.column]:
                i = out.column_names.index(q.column)
                out = out.set_column(
                    i, q.column, generalize(table.column(q.column), q, levels[q.column])
                )
        return out

    while True:
        current = generalized()
        sizes = class_sizes(current, [q.column for q in qis]) if qis else np.full(n, n)
        rare = int((sizes < k).sum())
        if rare <= allowed:
            break
        raisable = [q for q in qis if levels[q.column] < q.top]
        if not raisable:
            report = KAnonymityReport(
                k=k,
                quasi_identifiers=[q.column for q in qis],
                levels=dict(levels),
                generalization={q.column: _describe_level(q, levels[q.column]) for q in qis},
                rows_in=n,
                rows_suppressed=0,
                rows_out=0,
                classes=int(len(np.unique(sizes))) if n else 0,
                smallest_class=int(sizes.min()) if n else 0,
                max_suppressed=max_suppressed,
                steps=steps,
                passed=False,
            )
            raise AnonymityError(
                f"k-anonymity (k={k}) not reached: {rare} of {n} rows are in classes smaller "
                f"than {k} at the highest generalization allowed "
                f"({', '.join(f'{c}: {report.generalization[c]}' for c in levels)}), and at most "
                f"{allowed} rows ({max_suppressed:.0%}) may be suppressed",
                report.to_dict(),
            )
        distinct = {q.column: len(pc.unique(current.column(q.column))) for q in raisable}
        pick = max(raisable, key=lambda q: distinct[q.column])
        levels[pick.column] += 1
        steps.append(
            f"{rare} rows below k: {pick.column} → {_describe_level(pick, levels[pick.column])}"
        )

    keep = sizes >= k
    out = current.filter(pa.array(keep)) if rare else current
    final = class_sizes(out, [q.column for q in qis]) if qis and out.num_rows else np.zeros(0)
    if rare:
        steps.append(f"{rare} rows in classes smaller than {k} suppressed")
    report = KAnonymityReport(
        k=k,
        quasi_identifiers=[q.column for q in qis],
        levels=dict(levels),
        generalization={q.column: _describe_level(q, levels[q.column]) for q in qis},
        rows_in=n,
        rows_suppressed=rare,
        rows_out=out.num_rows,
        classes=_n_classes(out, [q.column for q in qis]),
        smallest_class=int(final.min()) if len(final) else 0,
        max_suppressed=max_suppressed,
        steps=steps,
    )
    # the NULL_KEY placeholder is for grouping only: give nulls back
    for q in qis:
        i = out.column_names.index(q.column)
        col = C.as_strings(out.column(q.column)) if levels[q.column] else out.column(q.column)
        if levels[q.column]:
            col = pc.if_else(pc.equal(col, NULL_KEY), pa.scalar(None, pa.string()), col)
        out = out.set_column(i, q.column, col)
    check_k_anonymity(out, [q.column for q in qis], k)
    return out, report


def _n_classes(table: pa.Table, columns: Sequence[str]) -> int:
    if table.num_rows == 0:
        return 0
    if not columns:
        return 1
    return int(table.group_by(list(columns)).aggregate([]).num_rows)


def check_k_anonymity(table: pa.Table, columns: Sequence[str], k: int) -> None:
    """The gate: raise ``AnonymityError`` when any class of ``columns`` has fewer than k rows."""
    if not columns or table.num_rows == 0:
        return
    sizes = class_sizes(table, list(columns))
    small = int((sizes < k).sum())
    if small:
        raise AnonymityError(
            f"k-anonymity gate: {small} rows are in quasi-identifier classes "
            f"({', '.join(columns)}) smaller than k={k}; smallest class has {int(sizes.min())}"
        )


# ---- aggregate cell suppression ----------------------------------------------------------------
@dataclass
class CellSuppressionReport:
    threshold: int
    dimensions: list[str]
    cells: int
    primary: int
    secondary: int
    passes: int

    def to_dict(self) -> dict:
        return asdict(self)


def suppress_cells(
    table: pa.Table, dimensions: Sequence[str], count: str = "count", threshold: int = 5
) -> tuple[pa.Table, CellSuppressionReport]:
    """Suppress counts in ``(0, threshold)`` and the complementary cells that would let them
    be recomputed from line totals. The count becomes null and ``suppressed`` true."""
    import pandas as pd

    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    df = table.to_pandas()
    if df.empty:
        out = table.append_column("suppressed", pa.array([], pa.bool_()))
        return out, CellSuppressionReport(threshold, list(dimensions), 0, 0, 0, 0)
    counts = df[count].fillna(0).astype("int64").to_numpy()
    supp = (counts > 0) & (counts < threshold)
    primary = int(supp.sum())
    dims = list(dimensions)
    keys = {d: pd.factorize(df[d].fillna(NULL_KEY), sort=True)[0] for d in dims}
    passes = 0
    changed = True
    while changed:
        changed = False
        passes += 1
        for d in dims:
            others = [o for o in dims if o != d]
            if others:
                line = np.zeros(len(df), dtype=np.int64)
                for o in others:
                    line = line * (keys[o].max() + 2) + keys[o]
            else:
                line = np.zeros(len(df), dtype=np.int64)
            order = np.lexsort((counts, line))
            line_sorted = line[order]
            bounds = np.flatnonzero(np.diff(line_sorted)) + 1
            for grp in np.split(order, bounds):
                n_supp = int(supp[grp].sum())
                if n_supp != 1 or len(grp) < 2:
                    continue
                free = grp[~supp[grp]]
                nonzero = free[counts[free] > 0]
                pick = (nonzero if len(nonzero) else free)[0]  # smallest (sorted by count)
                supp[pick] = True
                changed = True
    secondary = int(supp.sum()) - primary
    out_counts = pa.array(counts, pa.int64(), mask=supp)
    i = table.column_names.index(count)
    out = table.set_column(i, count, out_counts).append_column("suppressed", pa.array(supp))
    report = CellSuppressionReport(threshold, dims, len(df), primary, secondary, passes)
    check_cells(out, dims, count, threshold)
    return out, report


def check_cells(table: pa.Table, dimensions: Sequence[str], count: str, threshold: int) -> None:
    """The gate for aggregates: no published count in (0, threshold); no line of the table
    with exactly one suppressed cell."""

    df = table.to_pandas()
    shown = df[count].dropna()
    small = shown[(shown > 0) & (shown < threshold)]
    if len(small):
        raise AnonymityError(f"{len(small)} published cells are below the threshold {threshold}")
    for d in dimensions:
        others = [o for o in dimensions if o != d]
        if not others:
            n = int(df["suppressed"].sum())
            if n == 1 and len(df) > 1:
                raise AnonymityError("exactly one suppressed cell: recomputable from the total")
            continue
        per_line = (
            df.assign(**{o: df[o].fillna(NULL_KEY) for o in others})
            .groupby(others)["suppressed"]
            .agg(["sum", "size"])
        )
        bad = per_line[(per_line["sum"] == 1) & (per_line["size"] > 1)]
        if len(bad):
            raise AnonymityError(
                f"{len(bad)} lines along '{d}' have exactly one suppressed cell "
                "(recomputable from the line total)"
            )
