"""Dirt rates of the synthetic extracts: how often each kind of real-world error is injected."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace


@dataclass(frozen=True)
class DirtRates:
    """Probabilities in [0, 1]. Unless said otherwise a rate is per value (an ID, a name, a
    row) in the non-authoritative extracts; the authoritative registers (公安户籍 for persons,
    市场监管企业登记 for organisations) get ``authoritative_factor`` times the rate."""

    # exact copy of an extract row, inserted later in the same file
    dup: float = 0.01
    # resident ID written in the 15-digit legacy form (only people born 1900–1999)
    id_legacy15: float = 0.02
    # lowercase x, as a share of the IDs whose check character is X
    id_lower_x: float = 0.30
    # digits (and X) written full-width: ４５０１…
    id_fullwidth: float = 0.01
    # stray spaces inside or around an ID
    id_spaces: float = 0.02
    # a wrong check character
    id_bad_check: float = 0.005
    # the ID left empty
    id_missing: float = 0.005
    # a placeholder instead of the ID: 000000000000000000, 无, /, 123456789012345678, -
    id_placeholder: float = 0.002
    # an organisation given by its legacy 9-character organisation code or 15-digit
    # registration number instead of the credit code (non-authoritative extracts only)
    id_org_legacy: float = 0.01
    # a space between surname and given name, or around the name
    name_spaces: float = 0.02
    # another spelling: a homophone character, another middle dot, a shortened company name
    name_variant: float = 0.01
    # an outdated residence address (social insurance extract)
    address_old: float = 0.05
    # a value left empty in an optional column
    value_missing: float = 0.03
    # a row whose dates are not in ISO form (1990/1/2, 1990年1月2日, 19900102; in Excel also
    # date cells and serial numbers)
    date_format: float = 0.10
    # a mobile number with +86, 0086 or separators
    mobile_format: float = 0.02
    # multiplier of every rate in the authoritative registers (they are cleaner, not clean)
    authoritative_factor: float = 0.2

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"dirt rate {f.name} must be a number, got {value!r}")
            if not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"dirt rate {f.name} must be within [0, 1], got {value!r}")

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def with_overrides(self, **overrides: float) -> DirtRates:
        """A copy with some rates replaced; unknown names raise ValueError."""
        unknown = sorted(set(overrides) - set(self.names()))
        if unknown:
            raise ValueError(
                f"unknown dirt rate(s): {', '.join(unknown)}; known: {', '.join(self.names())}"
            )
        return replace(self, **{k: float(v) for k, v in overrides.items()})

    def scaled(self, factor: float) -> DirtRates:
        """Every rate times ``factor`` (the factor itself is kept)."""
        values = {k: v * factor for k, v in asdict(self).items() if k != "authoritative_factor"}
        return replace(self, **values)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def parse_rate(text: str) -> tuple[str, float]:
    """Parse ``NAME=VALUE`` (as given to ``--rate``); raise ValueError with a clear message."""
    name, sep, value = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sep or not name:
        raise ValueError(f"--rate expects NAME=VALUE, got {text!r}")
    if name not in DirtRates.names():
        raise ValueError(f"unknown dirt rate {name!r}; known: {', '.join(DirtRates.names())}")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"rate {name} must be a number, got {value!r}") from None
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"rate {name} must be within [0, 1], got {value!r}")
    return name, number
