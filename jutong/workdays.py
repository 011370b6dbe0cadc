"""The working-day calendar: PRC statutory holidays and make-up working days, plus local additions.

Deadlines in the regulations count working days (工作日): weekends off, statutory holidays off,
make-up working days (调休) on weekends on; the day an item is received is not counted
(GX-Reg art. 18; GX-Dispatch art. 29–30; GX-Open art. 20). Hour-based deadlines (特急 12 hours,
GX-Open art. 20) are clock hours.

The statutory data comes from ``chinese_calendar``, which only knows the years whose holidays
the State Council has announced. Next year's arrangement is published late each year, so the
bureau can enter it in ``catalog/jurisdiction.yaml``::

    calendar:
      extra_holidays: ["2027-01-01"]   # days off (also regional holidays such as 三月三)
      extra_workdays: ["2027-02-07"]   # make-up working days
      covered_through: 2027-12-31      # optional: extends the covered range explicitly

Local additions override the statutory data. Beyond the covered range the strict questions
(``is_working_day``, ``add_working_days``, ``deadline``) refuse to answer
(:class:`CalendarRangeError`) rather than guess. Case deadlines must not stop at the end of the
year, though (a 30-working-day notice opened in mid-November crosses it), so ``due`` computes
them **provisionally** there: weekends plus the holidays whose Gregorian dates are fixed by the
State Council's 全国年节及纪念日放假办法 (元旦 1 Jan; 劳动节 1–2 May; 国庆节 1–3 Oct) plus the
local additions; the lunar holidays and the make-up days are not known yet. A provisional due
day is marked as such wherever it is shown, and recomputed once the year's arrangement is
entered (``jutong.governance.deadlines.recompute_provisional``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import chinese_calendar

JURISDICTION_FILE = "catalog/jurisdiction.yaml"
CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")  # no DST since 1991

# The range chinese-calendar has data for: its _validate_date accepts the years of its
# holiday table, whole years (1.11.0: 2004–2026).
STATUTORY_FIRST = dt.date(min(chinese_calendar.holidays).year, 1, 1)
STATUTORY_LAST = dt.date(max(chinese_calendar.holidays).year, 12, 31)


# Holidays on fixed Gregorian dates (全国年节及纪念日放假办法, 2024 revision): the only ones that
# can be known before the State Council announces a year's arrangement.
FIXED_DATE_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})


@dataclass(frozen=True)
class Due:
    """A due day; ``provisional`` when some of the days counted lie beyond the calendar's
    data (then ``note`` says why and what makes it final)."""

    day: dt.date
    provisional: bool = False
    note: str | None = None

    def label(self) -> str:
        return f"{self.day} (provisional 暂定)" if self.provisional else self.day.isoformat()


class CalendarRangeError(ValueError):
    """A date outside the range the calendar has data for: no deadline is guessed."""

    def __init__(self, day: dt.date, first: dt.date, last: dt.date, source: str = ""):
        self.day, self.first, self.last = day, first, last
        hint = (
            f"once the State Council announces the holidays after {last}, enter them in "
            f"{source or JURISDICTION_FILE} (calendar.extra_holidays / extra_workdays) and "
            "extend calendar.covered_through"
        )
        super().__init__(
            f"cannot count working days for {day}: the working-day calendar covers {first} to "
            f"{last} (chinese-calendar {chinese_calendar.__version__} plus local additions); {hint}"
        )


class CalendarConfigError(ValueError):
    """The ``calendar`` settings in the jurisdiction file are invalid."""


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    """The calendar day of ``value``; aware datetimes are first converted to Beijing time."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(CHINA_TZ)
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"expected a date or datetime, got {type(value).__name__}: {value!r}")


def _parse_day(value: object, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise CalendarConfigError(f"{where}: '{value}' is a date-time, expected a date YYYY-MM-DD")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            if len(value.strip()) == 10:
                return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CalendarConfigError(f"{where}: '{value}' is not a date YYYY-MM-DD")


class WorkCalendar:
    """Working days of the PRC statutory calendar with local additions (see module doc)."""

    def __init__(
        self,
        extra_holidays: Iterable[dt.date] = (),
        extra_workdays: Iterable[dt.date] = (),
        covered_through: dt.date | None = None,
        *,
        source: str = JURISDICTION_FILE,
    ):
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)
        self.source = source
        both = sorted(self.extra_holidays & self.extra_workdays)
        if both:
            days = ", ".join(d.isoformat() for d in both)
            raise CalendarConfigError(
                f"{source}: calendar: {days} listed both in extra_holidays and extra_workdays"
            )
        if covered_through is not None and covered_through < STATUTORY_LAST:
            raise CalendarConfigError(
                f"{source}: calendar.covered_through: '{covered_through}' is before the end of "
                f"the statutory data ({STATUTORY_LAST}); remove it or give a later date"
            )
        self.first = STATUTORY_FIRST
        self.last = covered_through or STATUTORY_LAST

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def from_settings(cls, jurisdiction: Mapping | None, source: str | Path = JURISDICTION_FILE):
        """Build from the parsed jurisdiction settings (the whole file's mapping)."""
        source = str(source)
        cal = (jurisdiction or {}).get("calendar") or {}
        if not isinstance(cal, Mapping):
            raise CalendarConfigError(f"{source}: calendar: expected a mapping, got {cal!r}")
        unknown = sorted(set(cal) - {"extra_holidays", "extra_workdays", "covered_through"})
        if unknown:
            raise CalendarConfigError(
                f"{source}: calendar: unknown key(s) {', '.join(map(str, unknown))} (expected "
                "extra_holidays, extra_workdays, covered_through)"
            )
        lists: dict[str, list[dt.date]] = {}
        for key in ("extra_holidays", "extra_workdays"):
            values = cal.get(key) or []
            if not isinstance(values, list):
                raise CalendarConfigError(
                    f"{source}: calendar.{key}: expected a list of dates, got {values!r}"
                )
            lists[key] = [
                _parse_day(v, f"{source}: calendar.{key}[{i}]") for i, v in enumerate(values)
            ]
        through = cal.get("covered_through")
        if through is not None:
            through = _parse_day(through, f"{source}: calendar.covered_through")
        return cls(lists["extra_holidays"], lists["extra_workdays"], through, source=source)

    @classmethod
    def from_catalog(cls, catalog_or_settings) -> WorkCalendar:
        """From a loaded ``Catalog``, from ``Settings`` (loads its catalog), or from a mapping."""
        if isinstance(catalog_or_settings, Mapping):
            return cls.from_settings(catalog_or_settings)
        catalog = catalog_or_settings
        if hasattr(catalog, "catalog_dir") and not hasattr(catalog, "jurisdiction"):
            from jutong.catalog.loader import load_catalog

            catalog = load_catalog(catalog.catalog_dir)
        return cls.from_settings(catalog.jurisdiction, Path(catalog.root) / "jurisdiction.yaml")

    # -- questions ---------------------------------------------------------------------------

    def check(self, day: dt.date | dt.datetime) -> dt.date:
        """``day`` as a date; CalendarRangeError if the calendar has no data for it."""
        d = _as_date(day)
        if not (self.first <= d <= self.last):
            raise CalendarRangeError(d, self.first, self.last, self.source)
        return d

    def is_working_day(self, day: dt.date | dt.datetime) -> bool:
        d = self.check(day)
        if d in self.extra_workdays:
            return True
        if d in self.extra_holidays:
            return False
        if d <= STATUTORY_LAST:
            return chinese_calendar.is_workday(d)
        return d.weekday() < 5  # covered by local additions: weekends plus the listed days

    def describe(self, day: dt.date | dt.datetime) -> str:
        """A short label: 'working day', 'weekend', 'National Day', 'make-up working day (…)'."""
        d = self.check(day)
        if d in self.extra_workdays:
            return "make-up working day (local)"
        if d in self.extra_holidays:
            return "holiday (local)"
        if d <= STATUTORY_LAST:
            off, name = chinese_calendar.get_holiday_detail(d)
            if name and not off:
                return f"make-up working day ({name})"
            if name:
                return name
        return "weekend" if d.weekday() >= 5 else "working day"

    def add_working_days(self, start: dt.date | dt.datetime, n: int) -> dt.date:
        """The n-th working day after ``start`` (the day of receipt is not counted)."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"working days: expected a whole number ≥ 0, got {n!r}")
        d = self.check(start)
        left = n
        while left:
            d += dt.timedelta(days=1)
            if self.is_working_day(d):
                left -= 1
        return d

    def working_days_between(self, a: dt.date | dt.datetime, b: dt.date | dt.datetime) -> int:
        """Working days after ``a`` up to and including ``b`` (negative when ``b`` is before ``a``).

        ``working_days_between(a, add_working_days(a, n)) == n``.
        """
        da, db = self.check(a), self.check(b)
        if db < da:
            return -self.working_days_between(db, da)
        return sum(
            1 for i in range(1, (db - da).days + 1) if self.is_working_day(da + dt.timedelta(i))
        )

    def is_working_day_provisional(self, day: dt.date | dt.datetime) -> bool:
        """Like ``is_working_day``, but beyond the data: weekends, the fixed-date holidays
        and the local additions (see the module doc)."""
        d = _as_date(day)
        if self.first <= d <= self.last:
            return self.is_working_day(d)
        if d in self.extra_workdays:
            return True
        if d in self.extra_holidays or (d.month, d.day) in FIXED_DATE_HOLIDAYS:
            return False
        return d.weekday() < 5

    def due(self, start: dt.date | dt.datetime, n: int) -> Due:
        """The n-th working day after ``start`` (receipt day not counted), provisional when
        any day it counts lies beyond the calendar's data — never refused."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"working days: expected a whole number ≥ 0, got {n!r}")
        d = _as_date(start)
        if d < self.first:
            raise CalendarRangeError(d, self.first, self.last, self.source)
        left, beyond = n, d > self.last
        while left:
            d += dt.timedelta(days=1)
            beyond = beyond or d > self.last
            if self.is_working_day_provisional(d):
                left -= 1
        if not beyond:
            return Due(d)
        return Due(
            d,
            True,
            f"provisional: counts days after {self.last}, which the working-day calendar has "
            "no holiday arrangement for (weekends and 1 Jan, 1–2 May, 1–3 Oct assumed off); "
            f"recomputed when the arrangement is entered in {self.source}",
        )

    @staticmethod
    def add_clock_hours(start: dt.datetime, hours: float) -> dt.datetime:
        """Hour-based deadlines (特急 12 hours, GX-Open art. 20) are clock hours."""
        if not isinstance(start, dt.datetime):
            raise TypeError(f"clock hours need a date-time, got {start!r}")
        if hours < 0:
            raise ValueError(f"hours: expected ≥ 0, got {hours!r}")
        return start + dt.timedelta(hours=hours)

    def __repr__(self) -> str:
        return (
            f"WorkCalendar({self.first}..{self.last}, +{len(self.extra_holidays)} holidays, "
            f"+{len(self.extra_workdays)} workdays)"
        )


def deadline(received: dt.date | dt.datetime, working_days: int, calendar: WorkCalendar) -> dt.date:
    """The due day for an item received on ``received``: the receipt day is not counted.

    A naive datetime is taken as Beijing wall time; an aware one is converted to Beijing time.
    """
    return calendar.add_working_days(_as_date(received), working_days)
