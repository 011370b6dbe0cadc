"""Plain-text tables that line up with Chinese text (wide characters count as two columns)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def char_width(c: str) -> int:
    """Terminal columns of one character: 2 for East Asian wide and full-width (汉字, ＡＢ),
    0 for combining marks and zero-width format characters, 1 otherwise."""
    if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(c) in "WF" else 1


def width(text: str) -> int:
    """Terminal columns ``text`` takes (see :func:`char_width`)."""
    return sum(char_width(c) for c in text)


def _pad(text: str, n: int, right: bool) -> str:
    gap = " " * max(0, n - width(text))
    return gap + text if right else text + gap


def render(
    headers: Sequence[str], rows: Sequence[Sequence[object]], *, right: Sequence[int] = ()
) -> str:
    """Render rows under headers; columns listed in ``right`` are right-aligned (numbers)."""
    cells = [
        [("" if v is None else f"{v:,}" if isinstance(v, int) else str(v)) for v in r] for r in rows
    ]
    widths = [width(h) for h in headers]
    for r in cells:
        for i, v in enumerate(r):
            widths[i] = max(widths[i], width(v))
    lines = ["  ".join(_pad(h, widths[i], i in right) for i, h in enumerate(headers)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r in cells:
        lines.append("  ".join(_pad(v, widths[i], i in right) for i, v in enumerate(r)).rstrip())
    return "\n".join(lines)
