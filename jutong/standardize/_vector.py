"""Column form of the scalar standardization rules: one scalar call per *distinct* value.

Phones, names, dates, sex codes, division codes and addresses repeat heavily within a column
(a birth-date column of a million rows has a few tens of thousands of distinct values, a sex
column a handful), so a column is dictionary-encoded with Arrow, the scalar rule runs once per
distinct value and the results are spread back with ``take``: the per-row work is C++ (hash and
gather) and the scalar rule stays the single definition of the logic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

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
