"""Correction tickets (纠错工单): blocked batches, conflicts between departments, reported errors.

Each ticket is for the provider department, which answers for its data (GX-Reg art. 24;
"谁提供谁负责"). GX-Reg art. 18: the provider verifies within **5 working days**; the deadline
may be extended **once** by **up to 5** more working days with its head's approval. Every
open, extension and resolution is recorded with who and when in ``quality_ticket_events`` and
in the audit chain ("every correction is traceable"; GX-Reg art. 24: 问题数据纠错、问题数据追责).

Times are stored as naive UTC (``jutong.governance.db.utcnow``); the day of receipt, which is
not counted in the deadline, is the Beijing calendar day of ``opened_at``. A deadline that counts
days beyond the working-day calendar's data is provisional (``due_provisional``, ``due_note``)
until the year's arrangement is entered and ``jutong.governance.deadlines`` recomputes it.
"""

from jutong.governance.tickets.lifecycle import (
    extend_ticket,
    get_ticket,
    list_tickets,
    resolve_ticket,
    ticket_history,
)
from jutong.governance.tickets.model import (
    KINDS,
    MAX_EXTENSION_DAYS,
    STATUSES,
    VERIFY_WORKING_DAYS,
    Ticket,
    TicketError,
    TicketEvent,
    format_id,
    parse_id,
    today_cn,
)
from jutong.governance.tickets.opening import open_ticket, open_tickets
from jutong.governance.tickets.summary import demo_summary

__all__ = [
    "KINDS",
    "MAX_EXTENSION_DAYS",
    "STATUSES",
    "VERIFY_WORKING_DAYS",
    "Ticket",
    "TicketError",
    "TicketEvent",
    "demo_summary",
    "extend_ticket",
    "format_id",
    "get_ticket",
    "list_tickets",
    "open_ticket",
    "open_tickets",
    "parse_id",
    "resolve_ticket",
    "ticket_history",
    "today_cn",
]
