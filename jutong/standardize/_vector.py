"""Column form of the scalar standardization rules: one scalar call per *distinct* value.

Phones, names, dates, sex codes, division codes and addresses repeat heavily within a column
(a birth-date column of a million rows has a few tens of thousands of distinct values, a sex
column a handful), so a column is dictionary-encoded with Arrow, the scalar rule runs once per
distinct value and the results are spread back with ``take``: the per-row work is C++ (hash and
gather) and the scalar rule stays the single definition of the logic.

Where nearly every value is distinct (names, mobile numbers, addresses) one scalar call per
distinct value is one per row: ``with_fast_path`` answers the common, already-clean shapes
with Arrow compute kernels and leaves only the others to the scalar rule (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jutong.identifiers._columns import as_string_array


def map_distinct(
    values: object, fn: Callable[[str | None], tuple], fields: Sequence[tuple[str, pa.DataType]]
) -> pa.StructArray:
    """Apply ``fn`` (returning a tuple matching ``fields``) to each distinct value; one row each."""
    arr = as_string_array(values)
    encoded = pc.dictionary_encode(arr, null_encoding="encode")
    dictionary = encoded.dictionary.to_pylist()
    results = [fn(v) for v in dictionary]
    columns = [pa.array([r[i] for r in results], type=t) for i, (_, t) in enumerate(fields)]
    table = pa.StructArray.from_arrays(columns, names=[name for name, _ in fields])
    if len(arr) == 0:
        return table.slice(0, 0) if len(table) else pa.array([], type=table.type)
    return table.take(encoded.indices)


def with_fast_path(
    values: object,
    fast: Callable[[pa.Array], tuple[np.ndarray, pa.StructArray]],
    slow: Callable[[pa.Array], pa.StructArray],
    *,
    distinct: bool = False,
) -> pa.StructArray:
    """The column form of a rule whose common, already-clean shapes are answered by Arrow
    compute (``fast``) and the rest by the scalar rule once per distinct value (``slow``).

    ``fast(arr)`` returns (mask of the rows it answered, their results in row order); it must
    give exactly what the scalar rule gives for those rows (each rule's tests compare both).
    The two parts are put back in row order with one ``take``. ``distinct``: the column
    repeats (dates): both paths run on its distinct values, spread back with ``take``."""
    arr = as_string_array(values)
    if distinct:
        enc = pc.dictionary_encode(arr, null_encoding="encode")
        return with_fast_path(enc.dictionary, fast, slow).take(enc.indices)
    mask, fast_rows = fast(arr)
    if mask.all():
        return fast_rows
    rest = np.flatnonzero(~mask)
    slow_rows = slow(arr.take(pa.array(rest)))
    if not mask.any():
        return slow_rows
    order = np.concatenate([np.flatnonzero(mask), rest])
    position = np.empty(len(arr), np.int64)
    position[order] = np.arange(len(arr))
    both = pa.concat_arrays([fast_rows, slow_rows.cast(fast_rows.type)])
    return both.take(pa.array(position))


def matches(arr: pa.Array, pattern: str) -> np.ndarray:
    """Rows of a string array that match an RE2 ``pattern`` (nulls: False), as a NumPy mask."""
    hit = pc.match_substring_regex(arr, pattern)
    return hit.fill_null(False).to_numpy(zero_copy_only=False)


def tag_code_lists(lists: pa.Array, prefix: str, drop: str | None = None) -> pa.ListArray:
    """Every code of a ``list<string>`` column prefixed (``bad_check`` → ``id_number:bad_check``);
    a null list becomes empty. With ``drop``, the codes equal to it and null codes are left
    out. The column-level form of tagging a rule's codes with the item they belong to."""
    if isinstance(lists, pa.ChunkedArray):
        lists = lists.combine_chunks()
    n = len(lists)
    values = pc.list_flatten(lists)
    parent = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
    tagged = pc.binary_join_element_wise(pa.scalar(prefix), values.cast(pa.string()), "")
    if drop is not None:
        keep = pc.and_(pc.is_valid(values), pc.not_equal(values, drop)).fill_null(False)
        keep_np = keep.to_numpy(zero_copy_only=False)
        parent, tagged = parent[keep_np], tagged.filter(keep)
    lengths = np.bincount(parent, minlength=n) if len(parent) else np.zeros(n, np.int64)
    offsets = np.zeros(n + 1, np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), tagged)
