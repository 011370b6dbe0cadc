"""Columnar plumbing shared by the vectorized rules: Arrow string arrays, byte matrices, flag bits.

Rules receive a column as a sequence, NumPy object array, pandas Series or pyarrow array of
str-or-None and work on it as one Arrow string array. Rows that already have the fixed width
of the identifier are viewed as an ``(n, width)`` uint8 matrix straight from the Arrow data
buffer (no Python object per row; ``fixed_width_blocks``); rows that need repair are cleaned
as one array by the column forms of the cleaners (``_clean``).
Reasons, warnings and repairs travel as bit masks (one bit per code, in the order of the
rule's code tuple) and are decoded to lists of codes only for output.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jutong.reference import load_divisions, province_codes

# Rows per block of the matrix checks: a block's transposed copy (18 x 64Ki bytes) stays in
# the CPU cache, which makes the column-wise NumPy operations several times faster.
BLOCK_ROWS = 1 << 16

COUNTY_UNKNOWN, COUNTY_CURRENT, COUNTY_ABOLISHED = 0, 1, 2


def as_string_array(values: object) -> pa.Array:
    """The column as one Arrow ``string``/``large_string`` array (missing values as nulls)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if isinstance(values, pa.Array):
        arr = values
    else:
        if hasattr(values, "to_numpy") and not isinstance(values, np.ndarray):
            values = values.to_numpy(dtype=object, na_value=None)  # pandas Series / Index
        if isinstance(values, np.ndarray) and values.dtype.kind in "US":
            values = values.astype(object)
        try:
            arr = pa.array(values, type=pa.string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            from jutong.text.cells import as_text

            arr = pa.array([as_text(v) for v in values], type=pa.string())
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = arr.cast(pa.string())
    return arr


def offsets_of(arr: pa.Array) -> np.ndarray:
    """The Arrow offsets of a (large_)string array (int32 or int64), honouring a slice offset."""
    dtype = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    buf = arr.buffers()[1]
    return np.frombuffer(buf, dtype=dtype, count=len(arr) + 1, offset=arr.offset * dtype().itemsize)


def byte_lengths(arr: pa.Array) -> np.ndarray:
    """UTF-8 byte length of each row (0 for nulls is not guaranteed: combine with the mask)."""
    if len(arr) == 0:
        return np.zeros(0, np.int64)
    return np.diff(offsets_of(arr))


def null_mask(arr: pa.Array) -> np.ndarray:
    if arr.null_count == 0:
        return np.zeros(len(arr), bool)
    return arr.is_null().to_numpy(zero_copy_only=False)


def fixed_width_matrix(arr: pa.Array, width: int) -> np.ndarray:
    """``(len(arr), width)`` uint8 view of an array whose rows all have ``width`` bytes."""
    n = len(arr)
    if n == 0:
        return np.zeros((0, width), np.uint8)
    off = offsets_of(arr)
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)
    block = data[off[0] : off[-1]]
    if block.size != n * width:
        raise ValueError("rows are not all of the fixed width")
    return block.reshape(n, width)


def fixed_width_blocks(arr: pa.Array, width: int, block_rows: int | None = None):
    """Yield ``(start, stop, rows, matrix)`` per block of ``block_rows`` (BLOCK_ROWS) rows.

    ``matrix`` is a ``(k, width)`` uint8 matrix of the rows of the block that have exactly
    ``width`` bytes (and are not null), in order; ``rows`` is None when that is every row of
    the block (the matrix is then a view of the Arrow data buffer), else the bool mask of those
    rows within the block. Blocks without any such row are skipped.

    The other rows are usually rare and scattered: the matrix is then the concatenation of the
    byte runs between them (one ``memcpy`` per run); when they are many, a gather of the rows
    from a sliding-window view of the buffer."""
    n = len(arr)
    if n == 0:
        return
    block_rows = block_rows or BLOCK_ROWS
    off = offsets_of(arr)
    buf = arr.buffers()[2]
    data = np.frombuffer(buf, dtype=np.uint8) if buf is not None else np.zeros(0, np.uint8)
    nulls = null_mask(arr) if arr.null_count else None
    for start in range(0, n, block_rows):
        stop = min(start + block_rows, n)
        rows = np.diff(off[start : stop + 1]) == width
        if nulls is not None:
            rows &= ~nulls[start:stop]
        if rows.all():
            yield start, stop, None, data[off[start] : off[stop]].reshape(-1, width)
            continue
        miss = np.flatnonzero(~rows)
        if miss.size == rows.size:
            continue
        seg_start = np.concatenate(([0], miss + 1))
        seg_stop = np.concatenate((miss, [rows.size]))
        keep = seg_stop > seg_start
        if np.count_nonzero(keep) <= rows.size // 32:
            a = off[start + seg_start[keep]].tolist()
            b = off[start + seg_stop[keep]].tolist()
            mat = np.concatenate([data[x:y] for x, y in zip(a, b, strict=True)])
        else:
            window = np.lib.stride_tricks.as_strided(
                data, shape=(data.size - width + 1, width), strides=(1, 1), writeable=False
            )
            mat = window[off[start:stop][rows]]
        yield start, stop, rows, mat.reshape(-1, width)


def matrix_from_strings(strings: Sequence[str], width: int) -> np.ndarray:
    """uint8 matrix of ASCII strings that all have ``width`` characters."""
    if not strings:
        return np.zeros((0, width), np.uint8)
    return np.frombuffer("".join(strings).encode("ascii"), dtype=np.uint8).reshape(-1, width)


def matrix_to_strings(mat: np.ndarray) -> pa.Array:
    """Arrow string array from a uint8 matrix (one row per string)."""
    n, width = mat.shape
    offsets = (np.arange(n + 1, dtype=np.int32) * width).tobytes()
    data = np.ascontiguousarray(mat).tobytes()
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def byte_table(chars: str, values: Iterable[int] | None = None, default: int = 255) -> np.ndarray:
    """256-entry lookup table: byte of ``chars[i]`` -> ``values[i]`` (or i), others ``default``."""
    table = np.full(256, default, np.uint8)
    vals = list(range(len(chars))) if values is None else list(values)
    for ch, v in zip(chars, vals, strict=True):
        table[ord(ch)] = v
    return table


# ---- reference data as lookup tables (GB/T 2260) -----------------------------------------


@cache
def province_table(extra: tuple[str, ...] = ()) -> np.ndarray:
    """bool[100]: whether a 2-digit number is a GB/T 2260 province code (plus ``extra``)."""
    table = np.zeros(100, bool)
    for p in province_codes() | set(extra):
        table[int(p)] = True
    table.setflags(write=False)
    return table


@cache
def county_table(extra_current: tuple[str, ...] = ()) -> np.ndarray:
    """uint8[1_000_000]: status of a 6-digit division code (0 unknown, 1 current, 2 abolished)."""
    table = np.zeros(1_000_000, np.uint8)
    for code, d in load_divisions().items():
        table[int(code)] = COUNTY_ABOLISHED if d.status == "abolished" else COUNTY_CURRENT
    for code in extra_current:
        table[int(code)] = COUNTY_CURRENT
    table.setflags(write=False)
    return table


# ---- flag bits --------------------------------------------------------------------------


def bits_of(codes: Sequence[str], names: Iterable[str]) -> int:
    bits = 0
    for name in names:
        bits |= 1 << codes.index(name)
    return bits


def codes_of(codes: Sequence[str], bits: int) -> tuple[str, ...]:
    """The codes whose bits are set, in the rule's canonical order."""
    return tuple(c for i, c in enumerate(codes) if bits >> i & 1)


def decode_bits(codes: Sequence[str], bits: np.ndarray) -> list[list[str]]:
    """One list of codes per row (Python lists; for small outputs and tests)."""
    return arrow_code_lists(codes, bits).to_pylist()


def arrow_code_lists(codes: Sequence[str], bits: np.ndarray) -> pa.Array:
    """``list<string>`` array of the codes set in each row, built per distinct mask value."""
    bits = np.asarray(bits)
    if bits.size == 0:
        return pa.array([], type=pa.list_(pa.string()))
    present = np.flatnonzero(np.bincount(bits.astype(np.int64)))
    lists = pa.array([list(codes_of(codes, int(v))) for v in present], type=pa.list_(pa.string()))
    index = np.zeros(int(present[-1]) + 1, np.int32)
    index[present] = np.arange(present.size, dtype=np.int32)
    return lists.take(pa.array(index[bits]))


def joined_codes(codes: Sequence[str], bits: np.ndarray, sep: str = ";") -> np.ndarray:
    """Object array of the codes of each row joined with ``sep`` ('' when none)."""
    bits = np.asarray(bits)
    if bits.size == 0:
        return np.zeros(0, object)
    present = np.flatnonzero(np.bincount(bits.astype(np.int64)))
    table = np.empty(int(present[-1]) + 1, object)
    for v in present:
        table[v] = sep.join(codes_of(codes, int(v)))
    return table[bits]


def count_codes(codes: Sequence[str], bits: np.ndarray) -> dict[str, int]:
    """Rows per code (a row with two reasons counts for both)."""
    bits = np.asarray(bits).astype(np.int64)
    return {c: int(np.count_nonzero(bits >> i & 1)) for i, c in enumerate(codes)}


def replace_rows(arr: pa.Array, rows: np.ndarray, values: Sequence[str | None]) -> pa.Array:
    """``arr`` with the given rows replaced by ``values`` (same order as ``rows``)."""
    if rows.size == 0:
        return arr
    mask = np.zeros(len(arr), bool)
    mask[rows] = True
    order = np.argsort(rows, kind="stable")
    repl = pa.array([values[i] for i in order], type=arr.type)
    return pc.replace_with_mask(arr, pa.array(mask), repl)


def replace_sorted_rows(arr: pa.Array, rows: np.ndarray, values: pa.Array) -> pa.Array:
    """``arr`` with the given rows (ascending) replaced by the Arrow array ``values``."""
    if rows.size == 0:
        return arr
    mask = np.zeros(len(arr), bool)
    mask[rows] = True
    return pc.replace_with_mask(arr, pa.array(mask), values.cast(arr.type))


def add_null_rows(
    rows: np.ndarray, values: pa.Array, null_rows: list[np.ndarray]
) -> tuple[np.ndarray, pa.Array]:
    """``(rows, values)`` (ascending rows) plus the rows of ``null_rows`` with null values."""
    if not null_rows:
        return rows, values
    extra = np.concatenate(null_rows)
    rows = np.concatenate([rows, extra])
    values = pa.concat_arrays([values.cast(pa.string()), pa.nulls(extra.size, pa.string())])
    order = np.argsort(rows, kind="stable")
    return rows[order], values.take(pa.array(order))


def decode_small_ints(codes: np.ndarray, labels: Sequence[str], mask: np.ndarray) -> pa.Array:
    """String array ``labels[code]`` per row (null where ``mask``), via an Arrow dictionary."""
    indices = pa.array(np.asarray(codes).astype(np.int32), mask=np.asarray(mask, bool))
    dictionary = pa.array(list(labels), pa.string())
    return pa.DictionaryArray.from_arrays(indices, dictionary).dictionary_decode()


def date32_array(days: np.ndarray, mask: np.ndarray) -> pa.Array:
    """Arrow date32 from datetime64[D] (null where ``mask``)."""
    as_int = np.asarray(days).astype("datetime64[D]").view(np.int64)
    as_int = np.where(mask, 0, as_int).astype(np.int32)
    return pa.array(as_int, pa.int32(), mask=np.asarray(mask, bool)).view(pa.date32())


def struct_to_pandas(struct: pa.StructArray):
    """pandas DataFrame with one column per struct field."""
    return pa.Table.from_arrays(struct.flatten(), names=[f.name for f in struct.type]).to_pandas()
