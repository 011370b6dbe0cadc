"""The case rules as data: states, events, who may fire them, deadlines and their articles.

Each governed process is a *flow*: a declared transition table (state, event, next state, the
party and roles that may fire it, whether a legal basis or reasons are required) and the
clocks of its states (working days or clock hours, which party owes the step, the article).
``jutong cases rules`` prints it; the engine (``jutong.governance.cases.engine``) refuses
anything not in it.

Share requests (GX-Dispatch art. 29 for a regional requester, art. 30 for a city requester;
LZ-Rules art. 26 in Liuzhou):

- the bureau's normative review (规范性审核), then the provider's decision — a refusal must give
  its legal basis and paper applications may not be demanded (art. 29(3)) —, then the bureau
  pushes the answer, the requester subscribes, and raises doubts the provider answers and fixes
  (art. 29(5); GX-Dispatch art. 40);
- appeal against a refusal, coordinated by the bureau (art. 37); withdrawal of shared data by
  the provider through the bureau (art. 41); suspension of a requester that misuses data
  (art. 45);
- a step waiting on the requester (补正, more information) pauses the clock of the step that
  asked for it; it resumes when the requester answers.
"""

from __future__ import annotations

from jutong.governance.cases.flow_model import (
    ANY_DEPARTMENT,
    RESUME,
    URGENCY,
    Clock,
    Flow,
    Party,
    Role,
    Transition,
)
from jutong.governance.cases.opening_rules import opening_flows
from jutong.governance.cases.quality_rules import quality_flows

__all__ = [
    "ANY_DEPARTMENT",
    "FLOWS",
    "RESUME",
    "URGENCY",
    "Clock",
    "Flow",
    "Party",
    "Role",
    "Transition",
    "flow",
    "rules_rows",
]


B, P, R = Party.bureau, Party.provider, Party.requester
BUREAU = (Role.bureau_reviewer, Role.bureau_admin)
PROVIDER = (Role.provider_staff,)
REQUESTER = (Role.requester_staff,)


def _after_grant(doubt_days: int, fix_days: int, basis: str, feedback: Clock | None):
    """Subscription, doubts, suspension, withdrawal and revocation: common to every flow."""
    active = "in_use" if feedback else "subscribed"
    ts = [
        Transition("granted", "subscribe", "subscribed", R, REQUESTER, basis),
        Transition(
            active, "doubt", "doubt", R, REQUESTER, "GX-Dispatch art. 40", needs_reason=True
        ),
        Transition("doubt", "fix", active, P, PROVIDER, basis, needs_reason=True),
        Transition(
            "subscribed",
            "suspend",
            "suspended",
            B,
            BUREAU,
            "GX-Dispatch art. 45",
            needs_reason=True,
        ),
        Transition(
            "suspended",
            "reinstate",
            "subscribed",
            B,
            BUREAU,
            "GX-Dispatch art. 45",
            needs_reason=True,
        ),
        Transition(
            "subscribed", "revoke", "revoked", P, PROVIDER, "GX-Dispatch art. 41", needs_basis=True
        ),
        Transition(
            "suspended", "revoke", "revoked", P, PROVIDER, "GX-Dispatch art. 41", needs_basis=True
        ),
        Transition(
            "granted", "revoke", "revoked", P, PROVIDER, "GX-Dispatch art. 41", needs_basis=True
        ),
    ]
    if feedback:
        ts += [
            Transition(
                "subscribed", "feedback", "in_use", R, REQUESTER, feedback.basis, needs_reason=True
            ),
            Transition(
                "in_use",
                "suspend",
                "suspended",
                B,
                BUREAU,
                "GX-Dispatch art. 45",
                needs_reason=True,
            ),
            Transition(
                "in_use", "revoke", "revoked", P, PROVIDER, "GX-Dispatch art. 41", needs_basis=True
            ),
        ]
    clocks = {
        # the requester raises doubts within the window; the provider answers and fixes
        "doubt": Clock(P, basis, working_days=fix_days, label="answer and fix the doubt"),
    }
    if feedback:
        clocks["subscribed"] = feedback
    _ = doubt_days  # the doubt window is the requester's right, not an obligation to act
    return ts, clocks


def _common_front(review_basis: str) -> list[Transition]:
    return [
        Transition(
            "submitted", "ask_info", "needs_info", B, BUREAU, review_basis, needs_reason=True
        ),
        Transition("needs_info", "supplement", RESUME, R, REQUESTER, review_basis),
        Transition("submitted", "withdraw", "withdrawn", R, REQUESTER, review_basis),
        Transition("needs_info", "withdraw", "withdrawn", R, REQUESTER, review_basis),
        Transition("provider_review", "withdraw", "withdrawn", R, REQUESTER, review_basis),
        Transition(
            "provider_review",
            "ask_info",
            "needs_info",
            P,
            PROVIDER,
            review_basis,
            needs_reason=True,
        ),
    ]


def _appeal() -> list[Transition]:
    a = "GX-Dispatch art. 37"
    return [
        Transition("closed_refused", "appeal", "appealed", R, REQUESTER, a, needs_reason=True),
        Transition("rejected", "appeal", "appealed", R, REQUESTER, a, needs_reason=True),
        Transition("appealed", "grant", "granted", B, BUREAU, a, needs_reason=True),
        Transition("appealed", "uphold", "appeal_dismissed", B, BUREAU, a, needs_reason=True),
    ]


def _region() -> Flow:
    a = "GX-Dispatch art. 29"
    ts = [
        *_common_front(f"{a}(2)"),
        Transition("submitted", "pass", "provider_review", B, BUREAU, f"{a}(2)"),
        Transition("submitted", "reject", "rejected", B, BUREAU, f"{a}(2)", needs_reason=True),
        Transition("provider_review", "approve", "approved", P, PROVIDER, f"{a}(3)"),
        Transition(
            "provider_review", "refuse", "refused", P, PROVIDER, f"{a}(3)", needs_basis=True
        ),
        Transition("approved", "push", "granted", B, BUREAU, f"{a}(4)"),
        Transition("refused", "push", "closed_refused", B, BUREAU, f"{a}(4)"),
        *_appeal(),
    ]
    after, after_clocks = _after_grant(2, 3, f"{a}(5)", None)
    return Flow(
        "region",
        "Regional requester (自治区本级), GX-Dispatch art. 29",
        a,
        "submitted",
        (*ts, *after),
        {
            "submitted": Clock(B, f"{a}(2)", working_days=2, label="normative review 规范性审核"),
            "provider_review": Clock(P, f"{a}(3)", working_days=5, label="provider decision"),
            "approved": Clock(B, f"{a}(4)", working_days=2, label="push the answer"),
            "refused": Clock(B, f"{a}(4)", working_days=2, label="push the answer"),
            **after_clocks,
        },
        frozenset({"needs_info"}),
        frozenset({"withdrawn", "revoked", "appeal_dismissed"}),
    )


def _city() -> Flow:
    a = "GX-Dispatch art. 30"
    ts = [
        *_common_front(a),
        Transition("submitted", "pass", "provider_review", B, BUREAU, a),
        Transition("submitted", "reject", "rejected", B, BUREAU, a, needs_reason=True),
        Transition("provider_review", "approve", "final_review", P, PROVIDER, a),
        Transition("provider_review", "refuse", "refused", P, PROVIDER, a, needs_basis=True),
        Transition("final_review", "push", "granted", B, BUREAU, a),
        Transition("final_review", "reject", "closed_refused", B, BUREAU, a, needs_reason=True),
        Transition("refused", "push", "closed_refused", B, BUREAU, a),
        *_appeal(),
    ]
    feedback = Clock(R, a, working_days=5, label="usage feedback 使用反馈")
    after, after_clocks = _after_grant(2, 3, a, feedback)
    return Flow(
        "city",
        "City requester (设区的市), GX-Dispatch art. 30",
        a,
        "submitted",
        (*ts, *after),
        {
            "submitted": Clock(B, a, working_days=2, label="initial review 初审"),
            "provider_review": Clock(P, a, working_days=3, label="provider review"),
            "final_review": Clock(B, a, working_days=2, label="final review 终审"),
            "refused": Clock(B, a, working_days=2, label="push the answer"),
            **after_clocks,
        },
        frozenset({"needs_info"}),
        frozenset({"withdrawn", "revoked", "appeal_dismissed"}),
    )


def _liuzhou() -> Flow:
    a = "LZ-Rules art. 26"
    ts = [
        *_common_front(a),
        Transition("submitted", "pass", "provider_review", B, BUREAU, a),
        Transition("submitted", "reject", "rejected", B, BUREAU, a, needs_reason=True),
        Transition("provider_review", "approve", "granted", P, PROVIDER, a),
        Transition("provider_review", "refuse", "closed_refused", P, PROVIDER, a, needs_basis=True),
        *_appeal(),
    ]
    after, after_clocks = _after_grant(2, 2, a, None)
    return Flow(
        "liuzhou",
        "Liuzhou (柳州市), LZ-Rules art. 26",
        a,
        "submitted",
        (*ts, *after),
        {
            "provider_review": Clock(P, a, working_days=3, label="provider review"),
            **after_clocks,
        },
        frozenset({"needs_info"}),
        frozenset({"withdrawn", "revoked", "appeal_dismissed"}),
    )


FLOWS: dict[str, Flow] = {
    f.name: f for f in (_region(), _city(), _liuzhou(), *opening_flows(), *quality_flows())
}


def flow(name: str) -> Flow:
    try:
        return FLOWS[name]
    except KeyError:
        raise ValueError(f"unknown flow '{name}' (known: {', '.join(FLOWS)})") from None


def rules_rows(name: str | None = None) -> list[tuple[str, ...]]:
    """The transition tables as rows: flow, state, event, next, party, roles, needs, deadline of
    the next state, article."""
    rows = []
    for f in [flow(name)] if name else FLOWS.values():
        for t in f.transitions:
            nxt = f.clocks.get(t.to)
            due = ""
            if nxt:
                due = f"{nxt.party.value} {nxt.describe()}"
            needs = "legal basis" if t.needs_basis else ("reasons" if t.needs_reason else "")
            if t.within_working_days:
                needs = f"{needs} within {t.within_working_days} wd".strip()
            if t.after_notice:
                needs = f"{needs} after notice".strip()
            rows.append(
                (
                    f.name,
                    t.state,
                    t.event,
                    t.to,
                    "|".join(p.value for p, _ in t.grants),
                    "|".join(",".join(r.value for r in roles) for _, roles in t.grants),
                    needs,
                    due,
                    t.basis,
                )
            )
    return rows
