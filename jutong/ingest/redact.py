"""Values shown in ingestion messages, masked by their catalog PII class.

Messages go to the terminal, Airflow task logs and quarantine reason files, which are read by
more people than the data: they name the file, line, column and the *kind* of problem, and a
value shown for context is masked here (a resident ID as ``4501**********1364``, a mobile as
``138****8000``, a name as ``韦**``). Values of items without personal data are shown as they
are, cut to ``MAX_SHOWN`` characters, unless they look like an identifier or an address
(``jutong.tabular.looks_like_data``).
"""

from __future__ import annotations

from jutong.catalog.model import PiiClass
from jutong.tabular import looks_like_data

MAX_SHOWN = 40

_KEEP_ENDS = {  # characters kept at the start and at the end
    PiiClass.resident_id: (4, 4),
    PiiClass.bank_card: (4, 4),
    PiiClass.passport: (1, 2),
    PiiClass.vehicle_plate: (2, 1),
    PiiClass.mobile: (3, 4),
    PiiClass.landline: (3, 2),
    PiiClass.person_name: (1, 0),
}
_HIDDEN = {PiiClass.birth_date, PiiClass.sex, PiiClass.ethnicity}


def _stars(value: str, head: int, tail: int) -> str:
    n = len(value)
    if n <= head + tail + 1:  # too short to keep anything and still hide most of it
        return value[:1] + "*" * (n - 1) if head and n > 2 else "*" * n
    return value[:head] + "*" * (n - head - tail) + value[n - tail :]


def mask_value(value: str, pii: PiiClass) -> str:
    """``value`` as a message may show it, given its item's PII class."""
    if pii is PiiClass.none:
        if looks_like_data(value):  # an identifier in the wrong column is still one
            return _stars(value, 4, 4)
        return value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN] + "…"
    if pii in _HIDDEN:
        return "*" * len(value)
    if pii in _KEEP_ENDS:
        return _stars(value, *_KEEP_ENDS[pii])
    if pii is PiiClass.email and "@" in value:
        user, _, domain = value.partition("@")
        return _stars(user, 1, 0) + "@" + domain
    # address, free text and the rest: the first few characters only
    keep = min(6, len(value) // 3)
    return value[:keep] + "*" * min(len(value) - keep, MAX_SHOWN)
