"""The demo's summary of open tickets by provider department."""

from __future__ import annotations

import datetime as dt

from jutong.governance.tickets.lifecycle import list_tickets
from jutong.governance.tickets.model import KINDS, Ticket, today_cn
from jutong.governance.tickets.store import load_catalog
from jutong.settings import Settings


def demo_summary(settings: Settings, *, as_of: dt.date | None = None) -> list[str]:
    """Open tickets by provider department with their due days, for the demo's summary."""
    from jutong.textable import render

    as_of = as_of or today_cn()
    tickets = list_tickets(settings, status="open")
    if not tickets:
        return ["Correction tickets (GX-Reg art. 18): none open."]
    try:
        names = load_catalog(settings).departments
    except Exception:  # the summary must not fail the demo over a catalog problem
        names = {}
    by_dept: dict[str, list[Ticket]] = {}
    for t in tickets:
        by_dept.setdefault(t.department, []).append(t)
    rows = []
    for dept in sorted(by_dept):
        ts = by_dept[dept]
        dues = sorted(t.due_on for t in ts if t.due_on)
        kinds = ", ".join(f"{k} {n}" for k in KINDS if (n := sum(t.kind == k for t in ts)))
        rows.append(
            (
                dept,
                names[dept].name if dept in names else "",
                len(ts),
                sum(t.is_overdue(as_of) for t in ts),
                dues[0].isoformat() if dues else "—",
                kinds,
            )
        )
    table = render(
        ["department", "name", "open", "overdue", "next due", "kinds"], rows, right=(2, 3)
    )
    return [
        f"Correction tickets open as of {as_of} (verify within 5 working days, GX-Reg art. 18):",
        *table.splitlines(),
        "List them with `jutong tickets list`; close with `jutong tickets resolve ID --note …`.",
    ]
