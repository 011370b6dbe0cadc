"""The ticket record, its ids and the GX-Reg art. 18 constants.

Times are stored as naive UTC (``jutong.governance.db.utcnow``); the day of receipt, which is
not counted in the deadline, is the Beijing calendar day of ``opened_at``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from jutong.workdays import CHINA_TZ

KINDS = ("blocked_batch", "conflict", "reported_error")
STATUSES = ("open", "resolved")
VERIFY_WORKING_DAYS = 5  # GX-Reg art. 18: verification within 5 working days
MAX_EXTENSION_DAYS = 5  # GX-Reg art. 18: one extension of up to 5 working days, approved


class TicketError(ValueError):
    """A user error about tickets (unknown id, double resolve, second extension, …)."""


@dataclass(frozen=True)
class TicketEvent:
    event: str
    at: dt.datetime
    by: str
    note: str | None
    data: dict | None


@dataclass(frozen=True)
class Ticket:
    id: str
    department: str
    kind: str
    subject: str
    details: dict
    source_ref: str
    opened_at: dt.datetime
    opened_by: str
    received_on: dt.date
    original_due_on: dt.date | None
    due_on: dt.date | None
    due_note: str | None
    due_provisional: bool
    extension_days: int | None
    extension_approved_by: str | None
    extension_reason: str | None
    extended_at: dt.datetime | None
    status: str
    resolved_at: dt.datetime | None
    resolved_by: str | None
    resolution_note: str | None

    def is_overdue(self, as_of: dt.date | None = None) -> bool:
        """Open and past its due day (the due day itself is still in time)."""
        if self.status != "open" or self.due_on is None:
            return False
        return (as_of or today_cn()) > self.due_on

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for k, v in out.items():
            if isinstance(v, dt.date | dt.datetime):
                out[k] = v.isoformat()
        return out


def today_cn() -> dt.date:
    """Today in Beijing."""
    return dt.datetime.now(CHINA_TZ).date()


def to_utc_naive(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def beijing_day(utc_naive: dt.datetime) -> dt.date:
    return utc_naive.replace(tzinfo=dt.UTC).astimezone(CHINA_TZ).date()


def format_id(seq: int) -> str:
    return f"T-{seq:06d}"


_ID_RE = re.compile(r"^\s*(?:T-?)?0*(\d{1,12})\s*$", re.I)


def parse_id(ticket_id: str | int) -> int:
    """``T-000123``, ``t-123``, ``T123`` or ``123`` -> 123."""
    if isinstance(ticket_id, int) and not isinstance(ticket_id, bool):
        return ticket_id
    m = _ID_RE.match(str(ticket_id))
    if not m or int(m.group(1)) == 0:
        raise TicketError(f"ticket id: '{ticket_id}' is not a ticket id like T-000123")
    return int(m.group(1))


def row_to_ticket(row: sa.Row) -> Ticket:
    m = row._mapping
    return Ticket(
        id=format_id(m["seq"]),
        **{c: m[c] for c in Ticket.__dataclass_fields__ if c != "id"},
    )
