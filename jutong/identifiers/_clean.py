"""Column forms of the text clean-up in ``jutong.text.cells`` (NumPy + Arrow), exactly equal to it.

The identifier rules check most rows on a byte matrix; the rows that need repair (full-width
characters, spaces, hyphens, quotes, case) are cleaned here as one array instead of one Python
call per row. Each function is the counterpart of a scalar helper of ``cells`` and gives the
same result for every string, which the property tests check:

- ``clean_codes``: ``clean_code`` (with its repair flags) of every row, on the UTF-8 bytes:
  characters decoded, mapped to half width, classified and dropped or kept, all column-wise;
  plus the terminal tests the rules make first (blank, placeholder text);
- ``is_blank``: ``not strip_all(text)``; ``strip_all``: the same trim (Arrow regex);
- ``is_placeholder_text``: the scalar test (``casefold`` is replaced by ``ascii_lower``, which
  is equivalent for membership in ``PLACEHOLDER_TEXTS``: no non-ASCII character other than the
  ones in those texts folds into their characters; asserted in the tests).

Whitespace is Python's (``str.isspace``, which ``str.strip`` and ``re``'s ``\\s`` use), spelled
out because RE2's ``\\s`` is ASCII only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jutong.identifiers import _columns as C
from jutong.text import cells as T
from jutong.text.cells import DASHES, PLACEHOLDER_TEXTS, QUOTES, ZERO_WIDTH
from jutong.text.width import (
    FULLWIDTH_FIRST,
    FULLWIDTH_LAST,
    FULLWIDTH_OFFSET,
    IDEOGRAPHIC_SPACE,
    to_halfwidth,
    to_halfwidth_array,
)

# Python's whitespace (str.isspace): all of it lies below U+3001 (asserted in the tests).
WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())


def re2_class(chars: str, negate: bool = False) -> str:
    """An RE2 character class of exactly ``chars`` (every character escaped as ``\\x{..}``)."""
    body = "".join(f"\\x{{{ord(c):x}}}" for c in sorted(set(chars)))
    return ("[^" if negate else "[") + body + "]"


_WS = re2_class(WHITESPACE)
_ZW = re2_class(ZERO_WIDTH)
_BLANK_RE = f"^{_WS}*{_ZW}*{_WS}*{_ZW}*{_WS}*$"
_ONLY_PUNCT_RE = "^" + re2_class(WHITESPACE + ZERO_WIDTH + DASHES + QUOTES + "/\\.?*_") + "*$"
_PLACEHOLDER_TEXTS = pa.array(sorted(PLACEHOLDER_TEXTS), pa.string())


def mask(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Boolean Arrow result as a NumPy bool array (nulls as False)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if values.null_count:
        values = values.fill_null(False)
    return values.to_numpy(zero_copy_only=False)


def matches(arr: pa.Array, pattern: str) -> np.ndarray:
    return mask(pc.match_substring_regex(arr, pattern))


def is_blank(half: pa.Array) -> np.ndarray:
    """``not strip_all(text)`` of half-width rows: strip whitespace, zero-width, whitespace."""
    return matches(half, _BLANK_RE)


def strip_all(half: pa.Array) -> pa.Array:
    """``cells.strip_all``: ``text.strip().strip(ZERO_WIDTH).strip()``."""
    out = pc.replace_substring_regex(half, f"^{_WS}+|{_WS}+$", "")
    out = pc.replace_substring_regex(out, f"^{_ZW}+|{_ZW}+$", "")
    return pc.replace_substring_regex(out, f"^{_WS}+|{_WS}+$", "")


def is_placeholder_text(half: pa.Array) -> np.ndarray:
    """``cells.is_placeholder_text(strip_all(text))`` of half-width rows."""
    trimmed = strip_all(half)
    named = mask(pc.is_in(pc.ascii_lower(trimmed), value_set=_PLACEHOLDER_TEXTS))
    # only punctuation and spaces: the trimmed ends are whitespace, so testing the whole row
    # is the same as testing the trimmed one
    return named | matches(half, _ONLY_PUNCT_RE)


# Character classes of the cleaning by code point, all in the BMP: 1 whitespace or zero-width
# (removed, "whitespace" repair), 2 dash or quote (removed, "punctuation" repair), 0 kept.
_CLASS = np.zeros(0x10000, np.uint8)
_CLASS[[ord(c) for c in WHITESPACE + ZERO_WIDTH]] = 1
_CLASS[[ord(c) for c in DASHES + QUOTES]] = 2
_CLASS.setflags(write=False)
# The longest text of PLACEHOLDER_TEXTS, in characters: longer rows are not tested against it.
_LONGEST_PLACEHOLDER = max(len(t) for t in PLACEHOLDER_TEXTS)
_SYMBOLS = np.zeros(0x80, bool)  # by code point (0x7F and above: no)
_SYMBOLS[[ord(c) for c in "/\\.?*_"]] = True


@dataclass
class Cleaned:
    """``clean_code`` of every row of a string array, as NumPy arrays, and the terminal tests
    the rules make before it (``blank``, ``placeholder``).

    The code is kept as UTF-8 bytes with offsets, and as its characters (code points, row after
    row) with their row and byte position, so that the rules test and edit it column-wise."""

    source: pa.Array
    fullwidth: np.ndarray  # bool per row: the full-width conversion changed the row
    whitespace: np.ndarray  # bool per row: whitespace removed
    punctuation: np.ndarray  # bool per row: hyphens or quotes removed
    blank: np.ndarray  # bool per row: null, or nothing left after ``strip_all``
    placeholder: np.ndarray  # bool per row: ``is_placeholder_text(strip_all(half))``, not blank
    length: np.ndarray  # characters per row of the code
    chars: np.ndarray  # int32 code points of the code, row after row
    char_row: np.ndarray  # row of each character
    code_bytes: np.ndarray  # uint8
    code_offsets: np.ndarray  # int64, len(source) + 1

    def count(self, selected: np.ndarray) -> np.ndarray:
        """Per row, how many of its characters are ``selected`` (a bool per character)."""
        return np.bincount(self.char_row[selected], minlength=len(self.source))

    def any(self, selected: np.ndarray) -> np.ndarray:
        return self.count(selected) > 0

    @property
    def first(self) -> np.ndarray:
        """Index in ``chars`` of the first character of each row (valid where length > 0)."""
        return np.cumsum(self.length) - self.length

    def char_at(self, i: int) -> np.ndarray:
        """Code point of character ``i`` of each row (-1 where the row is shorter); ``i`` < 0
        counts from the end."""
        at = (self.first + i) if i >= 0 else (self.first + self.length + i)
        ok = (self.length > i) if i >= 0 else (self.length >= -i)
        out = np.full(len(self.source), -1, np.int32)
        out[ok] = self.chars[at[ok]]
        return out

    def repeated(self) -> np.ndarray:
        """``code[:1] * len(code) == code`` per row."""
        other = self.chars != self.chars[self.first[self.char_row]]
        return self.count(other) == 0

    def translate_ascii(self, frm: str, to: str) -> np.ndarray:
        """Map ASCII characters ``frm[i]`` -> ``to[i]`` in the code; return, per row, whether
        any changed."""
        table = np.arange(256, dtype=np.uint8)
        table[[ord(a) for a in frm]] = [ord(b) for b in to]
        small = np.minimum(self.chars, 0xFF)
        changed = (table[small] != small) & (self.chars < 0x80)
        self.chars[changed] = table[small[changed]]
        if changed.any():  # ASCII bytes are never part of a longer UTF-8 sequence
            self.code_bytes = np.frombuffer(self.code_bytes.tobytes().translate(table), np.uint8)
        return self.any(changed)

    def code(self) -> pa.Array:
        """The codes as an Arrow string array (empty strings where the source is null)."""
        return pa.Array.from_buffers(
            pa.string(),
            len(self.source),
            [None, pa.py_buffer(self.code_offsets.astype(np.int32)), pa.py_buffer(self.code_bytes)],
        )

    def half(self, rows: np.ndarray) -> pa.Array:
        """The selected rows after the full-width conversion only."""
        return to_halfwidth_array(self.source.filter(pa.array(rows)))[0]


def clean_codes(arr: pa.Array) -> Cleaned:
    """``clean_code`` of a string array (at most 2 GiB), on its UTF-8 bytes: each character is
    decoded, mapped to half width, classified (``_CLASS``) and kept or dropped, all at once.

    ``blank`` and ``placeholder`` are tested with the Arrow helpers only where they can hold:
    a blank row has only whitespace; a placeholder text has at most ``_LONGEST_PLACEHOLDER``
    characters left, or only the symbols ``/ \\ . ? * _`` (the rest of the "only punctuation"
    class is what the cleaning removes)."""
    n = len(arr)
    off = C.offsets_of(arr).astype(np.int64) if n else np.zeros(1, np.int64)
    buf = arr.buffers()[2] if n else None
    data = np.frombuffer(buf, np.uint8) if buf is not None else np.zeros(0, np.uint8)
    data = data[off[0] : off[-1]]
    rel = off - off[0]
    byte_row = np.repeat(np.arange(n, dtype=np.int32), np.diff(rel))
    # decode UTF-8 (valid, as Arrow strings are): lead bytes, sizes, code points, rows
    if (data < 0x80).all():
        lead = np.arange(data.size, dtype=np.int32)
        size = np.ones(data.size, np.int32)
        cp = data.astype(np.int32)
    else:
        lead = np.flatnonzero((data & 0xC0) != 0x80).astype(np.int32)
        size = np.diff(lead, append=np.int32(data.size))
        cp = data[lead].astype(np.int32)
        for width, bits in ((2, 0x1F), (3, 0x0F), (4, 0x07)):
            at = np.flatnonzero(size == width)
            if at.size:
                p = lead[at]
                v = cp[at] & bits
                for k in range(1, width):
                    v = (v << 6) | (data[p + k] & 0x3F)
                cp[at] = v
    row = byte_row[lead]
    # full-width forms and the ideographic space to ASCII (jutong.text.width.to_halfwidth)
    wide = (cp >= FULLWIDTH_FIRST) & (cp <= FULLWIDTH_LAST)
    ideographic = cp == IDEOGRAPHIC_SPACE
    mapped = wide | ideographic
    half = cp
    half[wide] -= FULLWIDTH_OFFSET
    half[ideographic] = 0x20
    cls = _CLASS[np.minimum(half, 0xFFFF)]
    kept = cls == 0
    # the code's bytes: kept characters, a mapped one as its single ASCII byte
    out = data.copy()
    out[lead[mapped]] = half[mapped]
    keep_bytes = np.repeat(kept & ~mapped, size)
    keep_bytes[lead[kept & mapped]] = True
    code_offsets = np.concatenate(([0], np.cumsum(keep_bytes, dtype=np.int32)))[rel]
    # per row: which repairs (1 full-width, 2 whitespace, 4 punctuation) and what is left
    flags = mapped.view(np.uint8) | (cls << np.uint8(1))  # 1 full-width, 2 space, 4 punct.
    per_row = np.zeros(n, np.uint8)
    np.bitwise_or.at(per_row, row[flags != 0], flags[flags != 0])
    only_space = np.bincount(row[cls != 1], minlength=n) == 0
    cleaned = Cleaned(
        source=arr,
        fullwidth=(per_row & 1) != 0,
        whitespace=(per_row & 2) != 0,
        punctuation=(per_row & 4) != 0,
        blank=C.null_mask(arr).copy() if n else np.zeros(0, bool),
        placeholder=np.zeros(n, bool),
        length=np.bincount(row[kept], minlength=n),
        chars=half[kept],
        char_row=row[kept],
        code_bytes=out[keep_bytes],
        code_offsets=code_offsets,
    )
    blank, placeholder = cleaned.blank, cleaned.placeholder
    maybe = ~blank & only_space
    if maybe.any():
        blank[maybe] = _subset_test(arr, maybe, is_blank, lambda t: not T.strip_all(t))
    symbols_only = cleaned.count(~_SYMBOLS[np.minimum(cleaned.chars, 0x7F)]) == 0
    placeholder |= ~blank & symbols_only
    short = ~blank & ~placeholder & (cleaned.length <= _LONGEST_PLACEHOLDER)
    if short.any():
        placeholder[short] = _subset_test(
            arr,
            short,
            is_placeholder_text,
            lambda t: T.is_placeholder_text(T.strip_all(t)),
        )
    return cleaned


# Below this many rows a test runs the scalar helpers of cells (a few microseconds a row) rather
# than Arrow compute (about 0.1 ms a call, several calls): the same answers, a smaller fixed cost.
SCALAR_BELOW = 64


def _subset_test(arr: pa.Array, rows: np.ndarray, column_test, scalar_test) -> np.ndarray:
    """``column_test`` of the half-width selected rows, or ``scalar_test`` of each when few."""
    if np.count_nonzero(rows) < SCALAR_BELOW:
        values = arr.filter(pa.array(rows)).to_pylist()
        return np.array([scalar_test(to_halfwidth(v)) for v in values], bool)
    return column_test(to_halfwidth_array(arr.filter(pa.array(rows)))[0])
