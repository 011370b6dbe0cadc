"""Who uses a catalog entry now: the subscribers an offline step must coordinate with or
notify (LZ-Rules art. 20; GX-Dispatch art. 27(3)).

Share requests granted and not revoked (granted, subscribed, in use, doubt, suspended), active
share deliveries, and active deliveries of opened data to public accounts.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from jutong.governance.schema import cases, open_deliveries, share_deliveries

SHARE_ACTIVE = ("granted", "subscribed", "in_use", "doubt", "suspended")


@dataclass(frozen=True)
class Subscriber:
    who: str  # a department or a public account
    case_ref: str
    how: str  # share | share_delivery | open_delivery


def subscribers_in(conn: sa.Connection, resource: str) -> list[Subscriber]:
    out: dict[tuple[str, str], Subscriber] = {}
    for ref, who in conn.execute(
        sa.select(cases.c.ref, cases.c.requester).where(
            cases.c.kind == "share_request",
            cases.c.resource == resource,
            cases.c.state.in_(SHARE_ACTIVE),
        )
    ):
        out.setdefault((who, ref), Subscriber(who, ref, "share"))
    for ref, who in conn.execute(
        sa.select(cases.c.ref, cases.c.requester)
        .join(share_deliveries, share_deliveries.c.case_seq == cases.c.seq)
        .where(cases.c.resource == resource, share_deliveries.c.status == "active")
    ):
        out.setdefault((who, ref), Subscriber(who, ref, "share_delivery"))
    for ref, who in conn.execute(
        sa.select(cases.c.ref, open_deliveries.c.account)
        .join(cases, cases.c.seq == open_deliveries.c.case_seq)
        .where(open_deliveries.c.resource == resource, open_deliveries.c.status == "active")
    ):
        out.setdefault((who, ref), Subscriber(who, ref, "open_delivery"))
    return sorted(out.values(), key=lambda s: (s.who, s.case_ref))
