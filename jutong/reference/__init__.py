"""Reference data shipped with the platform (administrative divisions, GB/T 2260).

`divisions.csv` holds the province list complete, Guangxi down to county level complete, and a
few counties of other provinces (birthplaces of migrants in the synthetic province).
Abolished codes are kept with ``status=abolished`` and the code that replaced them: resident IDs
keep the code in force when the person was registered (GB 11643-1999), so an abolished county
code is legitimate.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str  # province | city | county
    parent: str | None
    status: str  # current | abolished
    replaced_by: str | None
    note: str

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"


@cache
def load_divisions() -> dict[str, Division]:
    """All divisions keyed by 6-digit code (current and abolished)."""
    text = resources.files(__package__).joinpath("divisions.csv").read_text(encoding="utf-8")
    out: dict[str, Division] = {}
    for row in csv.DictReader(text.splitlines()):
        out[row["code"]] = Division(
            code=row["code"],
            name=row["name"],
            level=row["level"],
            parent=row["parent"] or None,
            status=row["status"],
            replaced_by=row["replaced_by"] or None,
            note=row["note"],
        )
    return out


@functools.cache
def province_codes() -> frozenset[str]:
    """The 2-digit province codes of GB/T 2260 (the only hard check on a resident ID's region)."""
    return frozenset(d.code[:2] for d in load_divisions().values() if d.level == "province")


def full_name(code: str) -> str:
    """Province + city + county name of a division code, e.g. 广西壮族自治区柳州市柳江区.

    The city level is left out where it is the placeholder 市辖区 (municipalities)."""
    divs = load_divisions()
    d = divs[code]
    parts = [d.name]
    parent = d.parent
    while parent:
        p = divs.get(parent)
        if p is None:
            break
        if p.name != "市辖区":
            parts.append(p.name)
        parent = p.parent
    return "".join(reversed(parts))
