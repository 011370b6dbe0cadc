"""The vocabulary of the case rules: parties, roles, transitions, clocks and flows.

``jutong.governance.cases.rules`` declares the share flows with it and re-exports it;
``jutong.governance.cases.opening_rules`` declares the opening flows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Party(StrEnum):
    requester = "requester"  # who asks: a department (使用部门) or a public account (数据使用主体)
    provider = "provider"  # the department that provides it (提供部门 / 数据开放主体)
    bureau = "bureau"  # the big-data bureau (大数据主管部门)
    centre = (
        "centre"  # the information centre's normative review (自治区信息中心, GX-Open art. 20(2))
    )
    # any department: a record of no department, e.g. a base build's clerical review item,
    # which a quality owner of any department may decide (catalog/roles.yaml, review.decide)
    any = "any"


ANY_DEPARTMENT = "*"  # what ``Case.party_department(Party.any)`` answers


class Role(StrEnum):
    bureau_admin = "bureau_admin"
    bureau_reviewer = "bureau_reviewer"
    provider_staff = "provider_staff"
    requester_staff = "requester_staff"
    quality_owner = "quality_owner"
    open_data_staff = "open_data_staff"
    analyst = "analyst"
    auditor = "auditor"
    # a citizen's or organisation's account on the open-data portal (自然人、法人和非法人组织;
    # GX-Open art. 20(1)); its "department" is the account id (jutong.governance.cases.actors)
    public = "public"


RESUME = "<resume>"  # the state a paused step returns to


@dataclass(frozen=True)
class Transition:
    state: str
    event: str
    to: str
    party: Party
    roles: tuple[Role, ...]
    basis: str  # the article that allows the step
    needs_basis: bool = False  # a refusal must cite its legal basis (GX-Dispatch art. 29(3))
    needs_reason: bool = False
    # only within this many working days after the case entered ``state`` (the entry day not
    # counted), e.g. doubts about opened data within 2 wd (GX-Open art. 20(6))
    within_working_days: int = 0
    # only once the public notice of the case has run its period (``data["notice_until"]``),
    # e.g. removal after 30 days of notice (GX-Dispatch art. 22)
    after_notice: bool = False
    # other parties that may fire it too, each with its roles: a correction ticket is resolved
    # by the provider's staff or quality owner, or by the bureau (GX-Reg art. 18)
    also: tuple[tuple[Party, tuple[Role, ...]], ...] = ()

    @property
    def grants(self) -> tuple[tuple[Party, tuple[Role, ...]], ...]:
        """Every (party, roles) that may fire this transition, the first one first."""
        return ((self.party, self.roles), *self.also)


# Urgency levels of a conditional-open request (GX-Open art. 20(1): 特急, 加急)
URGENCY = {"normal": "普通", "urgent": "加急", "most_urgent": "特急"}


@dataclass(frozen=True)
class Clock:
    """The deadline of a state: working days (the day of receipt not counted) or clock hours
    (特急 12 hours, GX-Open art. 20(2)), optionally per urgency level."""

    party: Party
    basis: str
    working_days: int = 0
    label: str = ""
    hours: int = 0  # clock hours instead of working days when > 0
    # per-urgency spans: (level, working_days, hours); a level not listed uses the default
    urgency: tuple[tuple[str, int, int], ...] = ()
    # an extension of the running clock: counted on from its due day by the working days the
    # event gives (``data["days"]``, 1 to ``working_days``), e.g. one extension of up to 5 wd
    # approved by the provider's head (GX-Reg art. 18)
    extends: bool = False

    def span(self, urgency: str | None = None) -> tuple[int, int]:
        """(working days, clock hours) for this urgency level."""
        for level, days, hours in self.urgency:
            if level == urgency:
                return days, hours
        return self.working_days, self.hours

    def describe(self) -> str:
        def one(days: int, hours: int) -> str:
            return f"{hours} h" if hours else f"{days} wd"

        if self.extends:
            return f"+1–{self.working_days} wd"
        text = one(self.working_days, self.hours)
        for level, days, hours in self.urgency:
            text += f" / {URGENCY.get(level, level)} {one(days, hours)}"
        return text


@dataclass(frozen=True)
class Flow:
    name: str
    title: str
    basis: str
    initial: str
    transitions: tuple[Transition, ...]
    clocks: dict[str, Clock]
    pausing: frozenset[str] = field(default_factory=frozenset)  # states that wait on requester
    terminal: frozenset[str] = field(default_factory=frozenset)

    def allowed(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if t.state == state]

    def find(self, state: str, event: str) -> Transition | None:
        return next((t for t in self.transitions if t.state == state and t.event == event), None)

    @property
    def states(self) -> list[str]:
        seen: dict[str, None] = {self.initial: None}
        for t in self.transitions:
            seen.setdefault(t.state)
            if t.to != RESUME:
                seen.setdefault(t.to)
        return list(seen)
