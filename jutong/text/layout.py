"""Group separators of numbers written for reading, and their removal.

People write identifiers and phone numbers in groups: ``138 0013 8000``, ``+86 138-0013-8000``,
``450102 19900101 123X``, with an ordinary, no-break or ideographic space, an ASCII or
full-width hyphen, or one of the Unicode hyphens and dashes. ``compact`` removes them (after
the full-width conversion) and leaves the identifier as written without layout.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from jutong.text.width import to_halfwidth, to_halfwidth_array

GROUP_SEPARATORS = " \u00a0\u3000-\uff0d\u2010\u2011\u2013\u2014"
#: A regex character class (Python ``re`` and RE2) of ``GROUP_SEPARATORS``.
GROUP_SEPARATOR_CLASS = "[ \u00a0\u3000\\-\uff0d\u2010\u2011\u2013\u2014]"
_SEP_TABLE = {ord(c): None for c in GROUP_SEPARATORS}


def compact(text: str) -> str:
    """Half-width, without group separators: the identifier as written without layout."""
    return to_halfwidth(text).translate(_SEP_TABLE)


def compact_array(arr: pa.Array) -> pa.Array:
    """``compact`` of every row of an Arrow string array (nulls stay null)."""
    return pc.replace_substring_regex(to_halfwidth_array(arr)[0], GROUP_SEPARATOR_CLASS, "")
