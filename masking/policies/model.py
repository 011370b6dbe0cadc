"""The policy model: audiences, actions, one column's policy, and the PII classes that decide
how hard a column is protected (direct identifiers, quasi-identifiers)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum

from jutong.catalog.model import Action, PiiClass  # noqa: F401  (Action is part of this API)


class Audience(StrEnum):
    share = "share"  # another department (共享)
    open = "open"  # the public (开放)


# Direct identifiers: never opened, not even masked (PIPL art. 73; GX-Reg art. 25).
DIRECT_IDENTIFIERS = frozenset(
    {
        PiiClass.resident_id,
        PiiClass.mobile,
        PiiClass.landline,
        PiiClass.email,
        PiiClass.bank_card,
        PiiClass.passport,
        PiiClass.vehicle_plate,
    }
)
# Quasi-identifiers: generalized and held to k-anonymity in open person-level releases.
QUASI_IDENTIFIERS = frozenset(
    {PiiClass.birth_date, PiiClass.sex, PiiClass.ethnicity, PiiClass.address}
)
#: how the anonymity gate generalizes a quasi-identifier further, by the action that masked it
#: (``masking.anonymity.QuasiIdentifier.kind``; any other action: a category)
QI_KIND_OF_ACTION = {
    Action.birth_5y_band: "band",
    Action.age_band: "band",
    Action.birth_year: "year",
    Action.address_to_county: "address",
}


class PolicyError(ValueError):
    """A column has no usable policy; the message names the column and why."""


@dataclass(frozen=True)
class ColumnPolicy:
    column: str
    action: Action
    mask: str | None = None  # for Action.mask: a key of operators.MASKS
    reason: str = ""
    pii: str = "none"
    sensitivity: int | None = None
    source: str = ""  # catalog item 'entry.item', 'inferred', 'release definition', ...
    label: str | None = None
    quasi_identifier: bool = False
    party_id_column: str | None = None  # mixed person/organisation column: row by row
    party_type_column: str | None = None
    #: the identifier the column holds by its catalog item (``resident_id``, ``uscc`` — credit
    #: codes and legacy registration numbers —, ``party_id``): the residual scan does not
    #: take a valid value of that kind for another identifier
    holds: str | None = None

    def describe(self) -> str:
        what = f"{self.action.value}" + (f":{self.mask}" if self.mask else "")
        party = " (persons only)" if self.party_id_column else ""
        return f"{self.column}: {what}{party}"

    def to_dict(self) -> dict:
        d = asdict(self)
        d["action"] = self.action.value
        return {k: v for k, v in d.items() if v not in (None, "", False)}
