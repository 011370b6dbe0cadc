"""The opening flows as data (registered in ``rules.FLOWS``; ``jutong cases rules`` prints them).

- ``open_conditional`` — conditional-open requests by citizens and organisations (有条件开放,
  GX-Open art. 20): the information centre's normative review (2 wd; 加急 1 wd; 特急 12 clock
  hours), the provider's answer (5 / 2 / 1 wd; no refusal without a reason and basis), the
  bureau's approval of the answer (2 wd), then the online data-use agreement, delivery by
  download or API key, the quality check (doubts within 2 wd, answered within 3 wd) and the
  rating of the six quality dimensions.
- ``open_on_request`` — on-request opening (依申请开放, GX-Dispatch art. 33–34): the provider
  reviews within 3 wd and opens within 5 wd; a refusal gives its basis and may go to the
  bureau's coordination; the requester's confirmation is filed (备案).
- ``catalog_update_*`` — the catalog updated within 10 wd of a change of law or mandate
  (GX-Open art. 15; LZ-Rules art. 14) or 15 wd (GX-Dispatch art. 39): the jurisdiction chooses.
- ``catalog_offline`` / ``catalog_offline_liuzhou`` — a catalog entry taken offline (GX-Dispatch
  art. 21–22: reply 3 wd, public notice 30 days before removal; LZ-Rules art. 20: an entry in
  use goes to coordination).
- ``data_offline`` / ``data_offline_liuzhou`` — data taken offline (GX-Dispatch art. 27: apply
  30 wd ahead, reply 5 wd, notice 30 wd, subscribers notified; LZ-Rules art. 21: approval 3 wd,
  notice 10 wd).
- ``complaint`` — a complaint about an opened dataset (GX-Open art. 22): the release is
  suspended when the case opens, then verified and withdrawn, restored, or reprocessed and
  reopened, by open-data staff.
"""

from __future__ import annotations

from jutong.governance.cases.flow_model import RESUME, Clock, Flow, Party, Role, Transition

B, P, R, C = Party.bureau, Party.provider, Party.requester, Party.centre
BUREAU = (Role.bureau_reviewer, Role.bureau_admin)
CENTRE = (Role.bureau_reviewer, Role.bureau_admin)  # reviewers of the information centre
PROVIDER = (Role.provider_staff,)
PUBLIC = (Role.public,)
OPEN_DATA = (Role.open_data_staff,)

# verification of a complaint: GX-Open art. 22 says "immediately suspend, then verify" without a
# number; 5 working days as for the verification of doubtful data (GX-Reg art. 18)
COMPLAINT_VERIFY_WORKING_DAYS = 5


def _open_conditional() -> Flow:
    a = "GX-Open art. 20"
    ts = [
        Transition("submitted", "pass", "provider_review", C, CENTRE, f"{a}(2)"),
        Transition("submitted", "reject", "rejected", C, CENTRE, f"{a}(2)", needs_reason=True),
        Transition("submitted", "ask_info", "needs_info", C, CENTRE, f"{a}(2)", needs_reason=True),
        Transition(
            "provider_review", "ask_info", "needs_info", P, PROVIDER, f"{a}(3)", needs_reason=True
        ),
        Transition("needs_info", "supplement", RESUME, R, PUBLIC, f"{a}(1)"),
        *(
            Transition(s, "withdraw", "withdrawn", R, PUBLIC, f"{a}(1)")
            for s in ("submitted", "needs_info", "provider_review")
        ),
        Transition("provider_review", "approve", "answer_granted", P, PROVIDER, f"{a}(3)"),
        # 无正当理由和依据，数据开放主体不得拒绝合理的数据开放需求
        Transition(
            "provider_review", "refuse", "answer_refused", P, PROVIDER, f"{a}(3)", needs_basis=True
        ),
        Transition("answer_granted", "approve", "agreement", B, BUREAU, f"{a}(4)"),
        Transition("answer_granted", "reject", "rejected", B, BUREAU, f"{a}(4)", needs_reason=True),
        Transition("answer_refused", "approve", "refused", B, BUREAU, f"{a}(4)"),
        Transition(
            "answer_refused",
            "overrule",
            "provider_review",
            B,
            BUREAU,
            f"{a}(3)–(4)",
            needs_reason=True,
        ),
        Transition("agreement", "agree", "agreed", R, PUBLIC, f"{a}(5)"),
        Transition("agreement", "withdraw", "withdrawn", R, PUBLIC, f"{a}(5)"),
        Transition("agreed", "deliver", "delivered", P, PROVIDER, f"{a}(5)"),
        Transition(
            "delivered",
            "doubt",
            "doubt",
            R,
            PUBLIC,
            f"{a}(6)",
            needs_reason=True,
            within_working_days=2,
        ),
        Transition("doubt", "answer", "checked", P, PROVIDER, f"{a}(6)", needs_reason=True),
        *(
            Transition(s, "revoke", "revoked", P, PROVIDER, f"{a}(5)", needs_basis=True)
            for s in ("delivered", "doubt", "checked")
        ),
        *(Transition(s, "close", "closed", R, PUBLIC, f"{a}(5)") for s in ("delivered", "checked")),
    ]
    return Flow(
        "open_conditional",
        "Conditional-open request (有条件开放), GX-Open art. 20",
        a,
        "submitted",
        tuple(ts),
        {
            "submitted": Clock(
                C,
                f"{a}(2)",
                2,
                "normative review 规范性审查",
                urgency=(("urgent", 1, 0), ("most_urgent", 0, 12)),
            ),
            "provider_review": Clock(
                P,
                f"{a}(3)",
                5,
                "provider answer 需求审核",
                urgency=(("urgent", 2, 0), ("most_urgent", 1, 0)),
            ),
            "answer_granted": Clock(B, f"{a}(4)", 2, "bureau approval 需求审批"),
            "answer_refused": Clock(B, f"{a}(4)", 2, "bureau approval 需求审批"),
            "doubt": Clock(P, f"{a}(6)", 3, "answer the quality check 质量校核"),
        },
        frozenset({"needs_info"}),
        frozenset({"withdrawn", "rejected", "refused", "revoked", "closed"}),
    )


def _open_on_request() -> Flow:
    a, f = "GX-Dispatch art. 33", "GX-Dispatch art. 34"
    ts = [
        Transition("submitted", "approve", "opening", P, PROVIDER, a),
        Transition("submitted", "refuse", "refused", P, PROVIDER, a, needs_basis=True),
        Transition("submitted", "withdraw", "withdrawn", R, PUBLIC, a),
        # 数据提供部门不同意提供、确需使用的，由大数据主管部门协调处理
        Transition("refused", "coordinate", "coordination", R, PUBLIC, a, needs_reason=True),
        Transition("coordination", "grant", "opening", B, BUREAU, a, needs_reason=True),
        Transition("coordination", "uphold", "closed_refused", B, BUREAU, a, needs_reason=True),
        Transition("opening", "deliver", "opened", P, PROVIDER, a),  # opens the data
        Transition("opened", "confirm", "filed", R, PUBLIC, f),
        Transition(
            "opened", "revoke", "revoked", P, PROVIDER, "GX-Dispatch art. 41", needs_basis=True
        ),
    ]
    return Flow(
        "open_on_request",
        "On-request opening (依申请开放), GX-Dispatch art. 33–34",
        a,
        "submitted",
        tuple(ts),
        {
            "submitted": Clock(P, a, 3, "provider review 审核"),
            "opening": Clock(P, a, 5, "open the data 开放"),
        },
        frozenset(),
        frozenset({"withdrawn", "closed_refused", "filed", "revoked"}),
    )


CATALOG_UPDATE = {
    # jurisdiction setting opening.catalog_update -> (flow, working days, article)
    "gx_open": ("catalog_update_open", 10, "GX-Open art. 15"),
    "gx_dispatch": ("catalog_update_dispatch", 15, "GX-Dispatch art. 39"),
    "liuzhou": ("catalog_update_liuzhou", 10, "LZ-Rules art. 14"),
}


def _catalog_update(name: str, days: int, a: str) -> Flow:
    ts = (
        Transition("updating", "update", "updated", P, PROVIDER, a, needs_reason=True),
        Transition("updating", "cancel", "cancelled", B, BUREAU, a, needs_reason=True),
    )
    return Flow(
        name,
        f"Catalog update after a change of law or mandate (目录更新), {a}: {days} wd",
        a,
        "updating",
        ts,
        {"updating": Clock(P, a, days, "update the catalog 目录更新")},
        frozenset(),
        frozenset({"updated", "cancelled"}),
    )


def _catalog_offline(liuzhou: bool) -> Flow:
    if liuzhou:
        # LZ-Rules art. 20: reviewed by the city information centre; an entry requested or in
        # use goes to coordination; then kept or taken offline, and filed (备案) — no notice
        a = c = "LZ-Rules art. 20"
        ts = (
            Transition("submitted", "approve", "offline", B, BUREAU, a),
            Transition("submitted", "reject", "rejected", B, BUREAU, a, needs_reason=True),
            Transition("submitted", "withdraw", "withdrawn", P, PROVIDER, a),
            Transition("coordination", "approve", "offline", B, BUREAU, c, needs_reason=True),
            Transition("coordination", "keep", "kept", B, BUREAU, c, needs_reason=True),
        )
        return Flow(
            "catalog_offline_liuzhou",
            f"Catalog entry offline (目录下线), {a}",
            a,
            "submitted",
            ts,
            {},
            frozenset(),
            frozenset({"rejected", "withdrawn", "kept", "offline"}),
        )
    a, c, n = "GX-Dispatch art. 21", "GX-Dispatch art. 21(4)", "GX-Dispatch art. 22"
    ts = (
        Transition("submitted", "approve", "notice", B, BUREAU, f"{a}(3)"),
        Transition("submitted", "reject", "rejected", B, BUREAU, f"{a}(2)", needs_reason=True),
        Transition("submitted", "withdraw", "withdrawn", P, PROVIDER, a),
        # an entry with subscribers or mounted data is coordinated, not taken straight offline
        # (GX-Dispatch art. 21(4); LZ-Rules art. 20(3))
        Transition("coordination", "approve", "notice", B, BUREAU, c, needs_reason=True),
        Transition("coordination", "keep", "kept", B, BUREAU, c, needs_reason=True),
        Transition("notice", "remove", "offline", P, PROVIDER, n, after_notice=True),
        Transition("notice", "withdraw", "withdrawn", P, PROVIDER, n),
    )
    return Flow(
        "catalog_offline",
        "Catalog entry offline (目录下线), GX-Dispatch art. 21–22",
        a,
        "submitted",
        ts,
        {"submitted": Clock(B, f"{a}(2)", 3, "reply 回复受理结果")},
        frozenset(),
        frozenset({"rejected", "withdrawn", "kept", "offline"}),
    )


def _data_offline(liuzhou: bool) -> Flow:
    if liuzhou:
        a = r = n = "LZ-Rules art. 21"
        reply = 3
    else:
        a, r, n = "GX-Dispatch art. 27", "GX-Dispatch art. 27(2)", "GX-Dispatch art. 27(4)"
        reply = 5
    ts = (
        Transition("submitted", "approve", "notice", B, BUREAU, r),
        Transition("submitted", "reject", "rejected", B, BUREAU, r, needs_reason=True),
        Transition("submitted", "withdraw", "withdrawn", P, PROVIDER, a),
        Transition("notice", "take_offline", "offline", P, PROVIDER, n, after_notice=True),
        Transition("notice", "withdraw", "withdrawn", P, PROVIDER, a),
    )
    return Flow(
        "data_offline_liuzhou" if liuzhou else "data_offline",
        f"Data offline (数据下线), {a}",
        a,
        "submitted",
        ts,
        {"submitted": Clock(B, r, reply, "approval 审批" if liuzhou else "reply 回复")},
        frozenset(),
        frozenset({"rejected", "withdrawn", "offline"}),
    )


def _complaint() -> Flow:
    a = "GX-Open art. 22"
    ts = (
        Transition("suspended", "verify", "verified", B, OPEN_DATA, a, needs_reason=True),
        Transition("verified", "withdraw", "withdrawn", B, OPEN_DATA, a, needs_reason=True),
        Transition("verified", "restore", "restored", B, OPEN_DATA, a, needs_reason=True),
        Transition("verified", "reprocess", "reprocessing", B, OPEN_DATA, a, needs_reason=True),
        Transition("reprocessing", "reopen", "reopened", B, OPEN_DATA, a),
    )
    return Flow(
        "complaint",
        "Complaint about opened data (开放数据异议), GX-Open art. 22",
        a,
        "suspended",
        ts,
        {
            "suspended": Clock(
                B, a, COMPLAINT_VERIFY_WORKING_DAYS, "verify the complaint 核实 (GX-Reg art. 18)"
            ),
        },
        frozenset(),
        frozenset({"withdrawn", "restored", "reopened"}),
    )


def opening_flows() -> tuple[Flow, ...]:
    return (
        _open_conditional(),
        _open_on_request(),
        *(_catalog_update(*v) for v in CATALOG_UPDATE.values()),
        _catalog_offline(False),
        _catalog_offline(True),
        _data_offline(False),
        _data_offline(True),
        _complaint(),
    )
