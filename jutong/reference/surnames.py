"""Chinese surnames (``surnames.csv``): single-character and compound (复姓).

One row per surname: ``kind`` is ``single`` or ``compound``; ``guangxi_weight`` is its rough
frequency in Guangxi relative to the other surnames of its kind (per mille for the single ones:
黄 韦 覃 蒙 莫 陆 农 梁 廖 are far more common there than nationally), empty for the surnames
of the national list that are rare there. The PII recognizer knows every surname listed; the
synthetic province draws the weighted ones, in file order (the same seed gives the same names).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Surname:
    surname: str
    compound: bool
    guangxi_weight: float | None


@cache
def load_surnames() -> tuple[Surname, ...]:
    """Every listed surname, in file order."""
    text = resources.files(__package__).joinpath("surnames.csv").read_text(encoding="utf-8")
    out = []
    for row in csv.DictReader(text.splitlines()):
        kind = row["kind"]
        if kind not in ("single", "compound"):
            raise ValueError(f"surnames.csv: surname {row['surname']}: unknown kind {kind!r}")
        weight = row["guangxi_weight"]
        out.append(Surname(row["surname"], kind == "compound", float(weight) if weight else None))
    return tuple(out)


def single_surnames() -> tuple[str, ...]:
    """The single-character surnames, in file order."""
    return tuple(s.surname for s in load_surnames() if not s.compound)


def compound_surnames() -> tuple[str, ...]:
    """The compound surnames (复姓), in file order."""
    return tuple(s.surname for s in load_surnames() if s.compound)


def guangxi_weights(*, compound: bool) -> dict[str, float]:
    """The weighted surnames of one kind with their Guangxi weights, in file order."""
    return {
        s.surname: s.guangxi_weight
        for s in load_surnames()
        if s.compound is compound and s.guangxi_weight is not None
    }
