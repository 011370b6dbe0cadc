"""Deadline clocks of case steps: start, pause, resume, close, and their state on a day.

A clock starts when a case enters a state that has one (``rules.Clock``): the day of entry
(Beijing) is the day of receipt and is not counted. Past the working-day calendar's data the
due day is provisional (``jutong.workdays.Due``). A step waiting on the requester pauses the
running clock, keeping the working days left; the answer resumes it with those days counted
from the day of the answer. A clock closed on or before its due day was met, else missed.
"""

from __future__ import annotations

import datetime as dt

from jutong.workdays import WorkCalendar

DUE_SOON_WORKING_DAYS = 1  # "due soon" from this many working days before the due day


def working_days_left(calendar: WorkCalendar, today: dt.date, due: dt.date) -> int:
    """Working days after ``today`` up to and including ``due`` (provisional past the data)."""
    n, d = 0, today
    while d < due:
        d += dt.timedelta(days=1)
        n += calendar.is_working_day_provisional(d)
    return n


DUE_SOON_HOURS = 4  # a clock-hour deadline is "due soon" in its last hours


def clock_state(
    calendar: WorkCalendar,
    *,
    status: str,
    due_on: dt.date | None,
    as_of: dt.date,
    soon: int = DUE_SOON_WORKING_DAYS,
    due_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> str:
    """``running`` | ``due_soon`` | ``due`` (today) | ``overdue`` | ``paused`` | ``met`` |
    ``missed``. A clock-hour deadline (``due_at``, naive UTC) is judged to the minute when
    ``now`` is given, else by its Beijing day."""
    if status != "running" or due_on is None:
        return status
    if due_at is not None and now is not None:
        now = now.astimezone(dt.UTC).replace(tzinfo=None) if now.tzinfo else now
        if now > due_at:
            return "overdue"
        return "due_soon" if due_at - now <= dt.timedelta(hours=DUE_SOON_HOURS) else "running"
    if as_of > due_on:
        return "overdue"
    if as_of == due_on:
        return "due"
    return "due_soon" if working_days_left(calendar, as_of, due_on) <= soon else "running"
