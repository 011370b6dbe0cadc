"""Statistical releases: counts over the full cube of the dimensions, small cells suppressed.

Each column is a source column or derived from one (age band, birth year, division code or
name, sex label); empty combinations count 0; cells below the threshold and the cells that
would let them be recomputed are suppressed (``masking.anonymity``; GX-Open art. 19).
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc

from jutong.catalog.releases import ReleaseDefinition, ReleaseError
from masking import columns as C
from masking.anonymity import check_cells, suppress_cells


def derive(kind: str, values: pa.Array, as_of: dt.date) -> pa.Array:
    if kind == "age_band":
        return C.age_band(values, as_of)
    if kind == "birth_5y_band":
        return C.birth_5y_band(values)
    if kind == "birth_year":
        return C.birth_year(values)
    if kind == "division_code":
        return C.as_strings(values)
    if kind == "division_name":
        from jutong.reference import full_name, load_divisions

        divs = load_divisions()
        arr = C.as_strings(values)
        enc = pc.dictionary_encode(arr)
        names = [full_name(c) if c in divs else None for c in enc.dictionary.to_pylist()]
        return pa.array(names, pa.string()).take(enc.indices)
    if kind == "sex_label":
        s = pc.utf8_trim_whitespace(C.as_strings(values))
        lookup = pa.array(["1", "2", "男", "女", "0", "9"])
        labels = pa.array(["男", "女", "男", "女", "未知", "未说明"])
        idx = pc.index_in(s, value_set=lookup)
        return pc.if_else(pc.is_valid(idx), labels.take(pc.fill_null(idx, 0)), pa.scalar("未知"))
    raise ReleaseError(f"unknown derivation '{kind}'")


def _cross(left: pa.Table, right: pa.Table) -> pa.Table:
    """Cartesian product of two small tables."""
    n, m = left.num_rows, right.num_rows
    li = pa.array([i for i in range(n) for _ in range(m)], pa.int64())
    ri = pa.array([j for _ in range(n) for j in range(m)], pa.int64())
    lt, rt = left.take(li), right.take(ri)
    cols = {name: lt.column(name) for name in lt.column_names}
    cols.update({name: rt.column(name) for name in rt.column_names})
    return pa.table(cols)


def count_cells(
    d: ReleaseDefinition, source: pa.Table, as_of: dt.date, report: dict
) -> tuple[pa.Table, dict[str, str]]:
    """The suppressed count table and the column labels; ``report`` gets the masking and
    anonymity sections."""
    assert d.aggregate is not None
    labels: dict[str, str] = {}
    derived = {}
    for c in d.columns:
        values = C.as_array(source.column(c.source_column))
        derived[c.name] = derive(c.derive, values, as_of) if c.derive else values
        labels[c.name] = c.label or c.name
    dims = d.aggregate.dimensions
    cnt = d.aggregate.count_column
    derived_t = pa.table(derived)
    weight = d.aggregate.weight
    if weight:
        w = C.as_array(source.column(weight))
        if not pa.types.is_integer(w.type):
            raise ReleaseError(
                f"release '{d.id}': aggregate.weight '{weight}' is {w.type}, not a count"
            )
        if w.null_count or (len(w) and pc.min(w).as_py() < 0):
            raise ReleaseError(
                f"release '{d.id}': aggregate.weight '{weight}' has empty or negative counts"
            )
        weighted = derived_t.append_column("__weight", w.cast(pa.int64()))
        counts = weighted.group_by(dims).aggregate([("__weight", "sum")])
    else:
        counts = derived_t.group_by(dims).aggregate([([], "count_all")])
    counts = counts.rename_columns([*dims, cnt])
    # the full cube of the dimensions' values: empty combinations count 0
    cube = None
    for dim in dims:
        values = pa.table({dim: pc.unique(derived_t.column(dim))})
        cube = values if cube is None else _cross(cube, values)
    cube = cube.join(counts, dims, join_type="left outer")
    cube = cube.set_column(cube.column_names.index(cnt), cnt, pc.fill_null(cube.column(cnt), 0))
    # attribute columns that follow one dimension (a county's name follows its code)
    for c in d.columns:
        if c.name in dims:
            continue
        partner = next(
            (x for x in d.columns if x.name in dims and x.source_column == c.source_column),
            None,
        )
        if partner is None:
            raise ReleaseError(
                f"release '{d.id}': column '{c.name}' is neither a dimension nor derived "
                "from the same source column as one"
            )
        pairs = (
            derived_t.select([partner.name, c.name])
            .group_by([partner.name])
            .aggregate([(c.name, "min")])
            .rename_columns([partner.name, c.name])
        )
        cube = cube.join(pairs, [partner.name], join_type="left outer")
    order = [c.name for c in d.columns] + [cnt]
    cube = cube.select(order).sort_by([(x, "ascending") for x in dims])
    out, crep = suppress_cells(cube, dims, cnt, d.aggregate.threshold)
    check_cells(out, dims, cnt, d.aggregate.threshold)
    labels[cnt] = "人数"
    labels["suppressed"] = "已隐匿（小于阈值或可推算）"
    report["masking"] = {
        "audience": "open",
        "columns": [
            {"column": c.name, "source": c.source_column, "derive": c.derive} for c in d.columns
        ],
        "note": "aggregate release: no person-level value is published",
        **({"summed": weight} if weight else {}),
    }
    report["anonymity"] = {"method": "cell suppression", **crep.to_dict()}
    return out, labels
