"""A ticket as a case of the case engine (flow ``ticket``, ``jutong cases rules --flow ticket``).

The case's reference is the ticket's id (``T-000123``): the case is the process record (state,
deadline clocks, the audit trail of every transition), the ticket row keeps what the console
and the quality modules read. The provider department owes the step; the bureau is the
requester (its quality gate or a report it received). Who acts: an ``Actor``; without one,
the named person as the bureau's administrator (the embedded default of the command line).
"""

from __future__ import annotations

from jutong.governance.cases.actors import Actor
from jutong.governance.cases.rules import Role

KIND = "ticket"
FLOW = "ticket"


def bureau_of(catalog) -> str:
    from jutong.governance.sharing.requests import bureau_department

    return bureau_department(catalog)


def default_actor(name: str, catalog) -> Actor:
    """``name`` acting as the bureau's administrator."""
    return Actor(name, Role.bureau_admin, bureau_of(catalog))


def opener(name: str, catalog) -> Actor:
    """Who opens a ticket's case: the quality gate or a reporter, for the bureau's quality
    owners (DOMAIN: quality owners handle correction tickets)."""
    return Actor(name, Role.quality_owner, bureau_of(catalog))


def case_item(ticket_id: str, row: dict, bureau: str) -> dict:
    """The ``open_many`` item of a new ticket row."""
    details = row.get("details") or {}
    return {
        "ref": ticket_id,
        "requester": bureau,
        "provider": row["department"],
        "bureau": bureau,
        "resource": str(details.get("dataset") or row["kind"])[:128],
        "title": row["subject"],
        "data": {"ticket": ticket_id, "kind": row["kind"], "source_ref": row["source_ref"]},
        "at": row["opened_at"],
        "audit_data": {
            "kind": row["kind"],
            "source_ref": row["source_ref"],
            "due_on": row["due_on"],
            "provisional": row["due_provisional"],
        },
    }
