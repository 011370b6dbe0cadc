"""Full-width forms to half width: per string and per Arrow string column, exactly equal.

Text typed with a Chinese input method carries the full-width ASCII forms U+FF01..U+FF5E
(``１２３``, ``ＡＢＣ``, ``－``) and the ideographic space U+3000. They map one to one onto
the ASCII characters ``!``..``~`` (code point minus ``FULLWIDTH_OFFSET``) and the space.
Nothing else is mapped (NFKC would also fold ligatures, circled digits, superscripts ...).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

FULLWIDTH_FIRST = 0xFF01  # "！", half width "!"
FULLWIDTH_LAST = 0xFF5E  # "～", half width "~"
FULLWIDTH_OFFSET = 0xFEE0
IDEOGRAPHIC_SPACE = 0x3000

FULLWIDTH_TO_ASCII = {
    cp: cp - FULLWIDTH_OFFSET for cp in range(FULLWIDTH_FIRST, FULLWIDTH_LAST + 1)
}
FULLWIDTH_TO_ASCII[IDEOGRAPHIC_SPACE] = 0x20
#: A regex character class (Python ``re`` and RE2) of the characters ``to_halfwidth`` maps.
FULLWIDTH_CLASS = f"[{chr(FULLWIDTH_FIRST)}-{chr(FULLWIDTH_LAST)}{chr(IDEOGRAPHIC_SPACE)}]"


def to_halfwidth(text: str) -> str:
    """Full-width ASCII forms and the ideographic space to their ASCII counterparts."""
    return text.translate(FULLWIDTH_TO_ASCII)


def to_fullwidth(text: str, only: str | None = None) -> str:
    """The inverse of ``to_halfwidth`` for printable ASCII (``only``: just these characters);
    the space becomes the ideographic space. Used to make dirty test and synthetic data."""
    chars = only if only is not None else "".join(chr(c) for c in range(0x20, 0x7F))
    table = {
        ord(c): IDEOGRAPHIC_SPACE if c == " " else ord(c) + FULLWIDTH_OFFSET
        for c in chars
        if " " <= c <= "~"
    }
    return text.translate(table)


def _offsets(arr: pa.Array) -> np.ndarray:
    dtype = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    buf = arr.buffers()[1]
    return np.frombuffer(buf, dtype=dtype, count=len(arr) + 1, offset=arr.offset * dtype().itemsize)


def to_halfwidth_array(arr: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """``to_halfwidth`` of every row of a (large_)string array: ``(converted, changed mask)``.

    Works on the UTF-8 bytes, with no Python call per row: U+FF01..U+FF5E (``EF BC 81``..
    ``EF BC BF`` and ``EF BD 80``..``EF BD 9E``) become the ASCII ``!``..``~`` and U+3000
    (``E3 80 80``) a space: 3 bytes -> 1, offsets shifted. Slices and nulls are kept."""
    n = len(arr)
    changed = np.zeros(n, bool)
    if n == 0:
        return arr, changed
    off = _offsets(arr)
    buf = arr.buffers()[2]
    if buf is None:
        return arr, changed
    data = np.frombuffer(buf, np.uint8)[off[0] : off[-1]]
    lead = np.flatnonzero((data == 0xEF) | (data == 0xE3))
    lead = lead[lead + 2 < data.size]
    if lead.size == 0:
        return arr, changed
    b0, b1, b2 = data[lead], data[lead + 1], data[lead + 2]
    low = (b0 == 0xEF) & (b1 == 0xBC) & (b2 >= 0x81) & (b2 <= 0xBF)  # U+FF01..U+FF3F
    high = (b0 == 0xEF) & (b1 == 0xBD) & (b2 >= 0x80) & (b2 <= 0x9E)  # U+FF40..U+FF5E
    space = (b0 == 0xE3) & (b1 == 0x80) & (b2 == 0x80)  # U+3000
    hit = low | high | space
    if not hit.any():
        return arr, changed
    pos = lead[hit]
    ascii_ = np.where(
        low[hit], 0x20 + (b2[hit] & 0x3F), np.where(high[hit], 0x60 + (b2[hit] & 0x3F), 0x20)
    ).astype(np.uint8)
    out = data.copy()
    out[pos] = ascii_
    keep = np.ones(data.size, bool)
    keep[pos + 1] = False
    keep[pos + 2] = False
    rel = (off - off[0]).astype(np.int64)
    row = np.searchsorted(rel, pos, side="right") - 1
    removed = np.bincount(row, minlength=n) * 2
    changed = removed > 0
    new_off = rel - np.concatenate(([0], np.cumsum(removed)))
    large = pa.types.is_large_string(arr.type)
    new_off = new_off.astype(np.int64 if large else np.int32)
    validity = arr.buffers()[0] if arr.null_count else None
    if validity is not None and arr.offset:
        validity = arr.is_valid().buffers()[1]
    result = pa.Array.from_buffers(
        pa.large_string() if large else pa.string(),
        n,
        [validity, pa.py_buffer(new_off), pa.py_buffer(out[keep])],
        null_count=arr.null_count,
    )
    return result, changed
