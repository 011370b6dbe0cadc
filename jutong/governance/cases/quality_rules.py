"""The quality flows as data (registered in ``rules.FLOWS``; ``jutong cases rules`` prints them).

- ``ticket`` — a correction ticket (纠错工单; ``jutong.governance.tickets``): reported or
  doubtful data, a batch the quality gate blocked, a conflict between departments. The provider
  department verifies and corrects within **5 working days** of receipt (the day of receipt
  not counted); the deadline may be extended **once** by **up to 5** working days with the
  approval of the provider's head (GX-Reg art. 18: 数据提供部门应当在收到疑义、错误之日起5个工作日
  内予以校对 …经数据提供部门主要负责人同意，原则上不超过5个工作日; GX-Dispatch art. 40: 校核).
  The provider's staff or quality owner records the extension and the resolution; so may the
  bureau's administrator or quality owner (DOMAIN: quality owners handle correction tickets).
  The case's reference is the ticket's id (``T-000123``), so its audit trail is the ticket's.
- ``review`` — a clerical review item of a base build (人工复核; ``jutong.base.review``): a
  grey-zone match (review subject, candidate entity) a quality owner merges or keeps apart
  (GX-Reg art. 23–24: base databases, quality checks and correction): the bureau's quality
  owner or administrator, or a quality owner of any department (the item belongs to none). No regulation
  sets a deadline, so the step has no clock. An item the next build no longer proposes (its
  rows found a key or a better match) is superseded by the build. The case's reference is
  ``review:<item id>``.
"""

from __future__ import annotations

from jutong.governance.cases.flow_model import Clock, Flow, Party, Role, Transition

B, P, A = Party.bureau, Party.provider, Party.any
PROVIDER = (Role.provider_staff, Role.quality_owner)
BUREAU = (Role.bureau_admin, Role.quality_owner)
QUALITY = (Role.quality_owner, Role.bureau_admin)

TICKET_BASIS = "GX-Reg art. 18"
REVIEW_BASIS = "GX-Reg art. 23–24"
VERIFY_WORKING_DAYS = 5  # GX-Reg art. 18: verification within 5 working days
MAX_EXTENSION_DAYS = 5  # GX-Reg art. 18: one extension of up to 5 working days, approved


def _ticket() -> Flow:
    a = TICKET_BASIS
    both = ((B, BUREAU),)
    ts = (
        # the head's approval and the reasons are required (GX-Reg art. 18)
        Transition("open", "extend", "extended", P, PROVIDER, a, needs_reason=True, also=both),
        Transition("open", "resolve", "resolved", P, PROVIDER, a, needs_reason=True, also=both),
        Transition("extended", "resolve", "resolved", P, PROVIDER, a, needs_reason=True, also=both),
    )
    return Flow(
        "ticket",
        "Correction ticket (纠错工单), GX-Reg art. 18",
        a,
        "open",
        ts,
        {
            "open": Clock(P, a, VERIFY_WORKING_DAYS, "verify and correct 校对"),
            "extended": Clock(
                P, a, MAX_EXTENSION_DAYS, "extended verification 延期校对", extends=True
            ),
        },
        frozenset(),
        frozenset({"resolved"}),
    )


def _review() -> Flow:
    a = REVIEW_BASIS
    # a review item belongs to no department: the bureau's quality owner or administrator, or
    # a quality owner of any department, decides it (catalog/roles.yaml: review.decide)
    anyone = ((A, (Role.quality_owner,)),)
    ts = (
        Transition("pending", "accepted", "merged", B, QUALITY, a, also=anyone),
        Transition("pending", "rejected", "kept_apart", B, QUALITY, a, also=anyone),
        # fired by the base build (acting for the bureau) when it no longer proposes the pair
        Transition("pending", "supersede", "superseded", B, (Role.bureau_admin,), a),
    )
    return Flow(
        "review",
        "Clerical review of a base-build match (人工复核), GX-Reg art. 23–24",
        a,
        "pending",
        ts,
        {},
        frozenset(),
        frozenset({"merged", "kept_apart", "superseded"}),
    )


def quality_flows() -> tuple[Flow, ...]:
    return (_ticket(), _review())
