"""What the gate found: one ``Outcome`` per expectation, one ``GateResult`` per batch."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from jutong.lake import AuditError


@dataclass
class Outcome:
    """One expectation's result on one batch."""

    key: str
    type: str
    column: str | None
    level: str
    dimension: str
    success: bool
    evaluated: bool
    element_count: int = 0
    unexpected_count: int = 0
    group: str | None = None
    max_rate: float | None = None
    error: str | None = None


@dataclass
class GateResult:
    name: str
    passed: bool
    evaluated: int
    failures: list[str]
    failed_rows: int
    rows: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    data_docs: str | None = None

    def raise_if_failed(self) -> None:
        if not self.passed:
            raise AuditError(f"quality gate {self.name} failed: " + "; ".join(self.failures))

    def as_dict(self) -> dict:
        return asdict(self)
