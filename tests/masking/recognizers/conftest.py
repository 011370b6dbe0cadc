"""Helpers of the recognizer tests: valid identifiers built with the project's check digits,
and ``found(entity, text)``: the substrings the analyzer reports for that entity at the
default threshold."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from jutong.identifiers.checkdigits import orgcode_check, resident_id_check, uscc_check
from jutong.text.luhn import luhn_check_digit, luhn_ok
from masking.analyzer import analyze


def rid(body17: str) -> str:
    return body17 + resident_id_check(body17)


def uscc(prefix8: str, org8: str) -> str:
    body = prefix8 + org8 + orgcode_check(org8)
    return body + uscc_check(body)


def _uscc_passing_luhn() -> str:
    """An all-digit valid credit code that also passes the Luhn check (about one in ten)."""
    for seq in range(100000):
        code = uscc("91450100", f"{seq:08d}")
        if code.isdigit() and luhn_ok(code):
            return code
    raise AssertionError


def _id_ending_x() -> str:
    for seq in range(1000):
        body = f"45010219900101{seq:03d}"
        if resident_id_check(body) == "X":
            return body + "X"
    raise AssertionError


@pytest.fixture(scope="session")
def v() -> SimpleNamespace:
    """Valid values (and near misses) for the tables."""
    id18 = rid("45010219851203002")
    wrong = id18[:17] + str((int(id18[17]) + 1) % 10 if id18[17].isdigit() else 0)
    card16 = "622202123456789" + luhn_check_digit("622202123456789")
    card19 = "621700123456789012" + luhn_check_digit("621700123456789012")
    return SimpleNamespace(
        id18=id18,
        id_wrong=wrong,
        id_x=_id_ending_x(),
        id15="450102851203002",
        uscc=uscc("91450100", "MA5K0000"),
        uscc_gov=uscc("11450000", "00000123"),
        uscc_luhn=_uscc_passing_luhn(),
        card16=card16,
        card19=card19,
        card_bad=card16[:-1] + str((int(card16[-1]) + 1) % 10),
    )


@pytest.fixture(scope="session")
def found():
    def _found(entity: str, text: str, threshold: float | None = None) -> list[str]:
        return [
            text[r.start : r.end] for r in analyze(text, entities=[entity], threshold=threshold)
        ]

    return _found
