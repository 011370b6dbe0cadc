"""The working-day calendar: statutory holidays, make-up working days, local additions, refusal.

Expected dates are worked out by hand from the State Council's notices:

- 2025 (国办发明电〔2024〕12号): 春节 1月28日(周二)至2月4日(周二)放假调休共8天，1月26日(周日)、
  2月8日(周六)上班。国庆节、中秋节 10月1日(周三)至8日(周三)放假调休共8天，9月28日(周日)、
  10月11日(周六)上班。
- 2026 (国办发明电〔2025〕7号): 春节 2月15日(周日)至23日(周一)放假调休共9天，2月14日(周六)、
  2月28日(周六)上班。国庆节 10月1日(周四)至7日(周三)放假调休共7天，9月20日(周日)、
  10月10日(周六)上班。

The day of receipt is not counted (docs/rules.md § Working days).
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import yaml

from jutong.catalog.loader import load_catalog
from jutong.workdays import (
    STATUTORY_LAST,
    CalendarConfigError,
    CalendarRangeError,
    WorkCalendar,
    deadline,
)

D = dt.date


@pytest.fixture(scope="module")
def cal(repo_root) -> WorkCalendar:
    return WorkCalendar.from_catalog(load_catalog(repo_root / "catalog"))


# --- National Day ---------------------------------------------------------------------------


def test_national_day_2025_received_on_eve(cal):
    # Received Tue 2025-09-30 (not counted). Oct 1–8 are off (National Day + Mid-autumn).
    # Thu Oct 9 = wd 1, Fri Oct 10 = wd 2.
    assert deadline(D(2025, 9, 30), 2, cal) == D(2025, 10, 10)
    # ... Sat Oct 11 is a make-up working day = wd 3, Sun Oct 12 off, Mon 13 = 4, Tue 14 = 5.
    assert deadline(D(2025, 9, 30), 3, cal) == D(2025, 10, 11)
    assert deadline(D(2025, 9, 30), 5, cal) == D(2025, 10, 14)


def test_national_day_2025_sunday_makeup_counts(cal):
    # Received Fri 2025-09-26. Sat 27 off; Sun 28 is a make-up working day = wd 1;
    # Mon 29 = 2, Tue 30 = 3; Oct 1–8 off; Thu Oct 9 = 4, Fri Oct 10 = 5.
    assert deadline(D(2025, 9, 26), 1, cal) == D(2025, 9, 28)
    assert deadline(D(2025, 9, 26), 5, cal) == D(2025, 10, 10)


def test_national_day_2026(cal):
    # Received Fri 2026-09-18. Sat 19 off; Sun 20 make-up = wd 1; Mon 21 .. Thu 24 = 2..5.
    assert deadline(D(2026, 9, 18), 5, cal) == D(2026, 9, 24)
    # Received Wed 2026-09-30. Oct 1–7 off; Thu 8 = 1, Fri 9 = 2, Sat 10 make-up = 3,
    # Sun 11 off, Mon 12 = 4, Tue 13 = 5.
    assert deadline(D(2026, 9, 30), 5, cal) == D(2026, 10, 13)


# --- Spring Festival ------------------------------------------------------------------------


def test_spring_festival_2025(cal):
    # Received Fri 2025-01-24. Sat 25 off; Sun 26 make-up = wd 1; Mon 27 = 2;
    # Jan 28 – Feb 4 off; Wed Feb 5 = 3, Thu 6 = 4, Fri 7 = 5, Sat Feb 8 make-up = 6.
    assert deadline(D(2025, 1, 24), 5, cal) == D(2025, 2, 7)
    assert deadline(D(2025, 1, 24), 6, cal) == D(2025, 2, 8)
    # Received on the make-up Sunday itself: not counted; Mon 27 = 1, Wed Feb 5 = 2.
    assert deadline(D(2025, 1, 26), 2, cal) == D(2025, 2, 5)


def test_spring_festival_2026(cal):
    # Received Thu 2026-02-12. Fri 13 = wd 1, Sat 14 make-up = 2; Feb 15–23 off;
    # Tue 24 = 3, Wed 25 = 4, Thu 26 = 5, Fri 27 = 6, Sat 28 make-up = 7.
    assert deadline(D(2026, 2, 12), 5, cal) == D(2026, 2, 26)
    assert deadline(D(2026, 2, 12), 7, cal) == D(2026, 2, 28)
    # Received during the holiday (Wed 2026-02-18): first working day is Tue 24.
    assert deadline(D(2026, 2, 18), 1, cal) == D(2026, 2, 24)


def test_day_kinds(cal):
    assert cal.is_working_day(D(2025, 1, 26)) and D(2025, 1, 26).weekday() == 6
    assert cal.is_working_day(D(2026, 2, 28)) and D(2026, 2, 28).weekday() == 5
    assert not cal.is_working_day(D(2025, 10, 6))  # Mid-autumn, a Monday
    assert not cal.is_working_day(D(2026, 2, 23))  # Spring Festival, a Monday
    assert not cal.is_working_day(D(2025, 11, 22))  # ordinary Saturday
    assert cal.is_working_day(D(2025, 11, 21))  # ordinary Friday
    assert cal.describe(D(2025, 9, 28)) == "make-up working day (National Day)"
    assert cal.describe(D(2025, 11, 22)) == "weekend"


def test_between_is_inverse_of_add(cal):
    assert cal.working_days_between(D(2025, 9, 30), D(2025, 10, 14)) == 5
    assert cal.working_days_between(D(2025, 10, 14), D(2025, 9, 30)) == -5
    assert cal.working_days_between(D(2025, 10, 1), D(2025, 10, 8)) == 0
    for start in (D(2025, 1, 20), D(2025, 9, 25), D(2026, 2, 10)):
        for n in range(0, 12):
            assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


def test_datetimes_and_clock_hours(cal):
    # An aware datetime is taken on its Beijing day: 2025-09-29 20:00 UTC = 09-30 04:00 Beijing.
    received = dt.datetime(2025, 9, 29, 20, 0, tzinfo=dt.UTC)
    assert deadline(received, 2, cal) == D(2025, 10, 10)
    # 特急 12 hours are clock hours, holidays or not (GX-Open art. 20).
    start = dt.datetime(2025, 9, 30, 18, 0)
    assert cal.add_clock_hours(start, 12) == dt.datetime(2025, 10, 1, 6, 0)
    with pytest.raises(ValueError, match="whole number"):
        cal.add_working_days(D(2025, 1, 2), -1)


# --- the refusal beyond the data ------------------------------------------------------------


def test_refuses_beyond_statutory_data(cal):
    assert D(2026, 12, 31) == STATUTORY_LAST  # chinese-calendar 1.11.0 has data through 2026
    # Mon 2026-12-28 + 3 = Thu 31 is still known; a 4th working day would be in 2027.
    assert deadline(D(2026, 12, 28), 3, cal) == D(2026, 12, 31)
    with pytest.raises(CalendarRangeError) as err:
        deadline(D(2026, 12, 28), 5, cal)
    msg = str(err.value)
    assert "2027-01-01" in msg and "2004-01-01 to 2026-12-31" in msg
    assert "covered_through" in msg
    with pytest.raises(CalendarRangeError):
        cal.is_working_day(D(2027, 1, 4))
    with pytest.raises(CalendarRangeError):
        cal.working_days_between(D(2026, 12, 1), D(2027, 1, 4))
    with pytest.raises(CalendarRangeError, match="2003-12-31"):
        cal.is_working_day(D(2003, 12, 31))


# --- local additions ------------------------------------------------------------------------


def _write_calendar(home, calendar: dict) -> None:
    path = home / "catalog" / "jurisdiction.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["calendar"] = calendar
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_local_additions_override(home):
    # 三月三 (a Guangxi holiday) on Mon 2026-04-20 (hypothetical date for the test), and a
    # local make-up working day on Sat 2026-04-25.
    _write_calendar(home, {"extra_holidays": ["2026-04-20"], "extra_workdays": ["2026-04-25"]})
    cal = WorkCalendar.from_catalog(load_catalog(home / "catalog"))
    assert not cal.is_working_day(D(2026, 4, 20))
    assert cal.is_working_day(D(2026, 4, 25))
    # Received Fri 04-17: Mon 20 off (local), Tue 21 = 1 .. Fri 24 = 4, Sat 25 = 5.
    assert deadline(D(2026, 4, 17), 5, cal) == D(2026, 4, 25)
    assert cal.describe(D(2026, 4, 20)) == "holiday (local)"


def test_covered_through_extends_with_local_additions(home):
    # The bureau enters 2027's announced days (hypothetical here) and extends coverage.
    _write_calendar(
        home,
        {
            "extra_holidays": ["2027-01-01"],
            "extra_workdays": ["2027-01-09"],
            "covered_through": "2027-01-31",
        },
    )
    cal = WorkCalendar.from_catalog(load_catalog(home / "catalog"))
    # Received Mon 2026-12-28: Tue 29 = 1, Wed 30 = 2, Thu 31 = 3, Fri Jan 1 off (local),
    # Sat 2 / Sun 3 weekend, Mon 4 = 4, Tue 5 = 5.
    assert deadline(D(2026, 12, 28), 5, cal) == D(2027, 1, 5)
    assert cal.is_working_day(D(2027, 1, 9))  # local make-up Saturday
    assert not cal.is_working_day(D(2027, 1, 16))  # plain Saturday
    with pytest.raises(CalendarRangeError, match="2027-02-01.*2027-01-31"):
        cal.is_working_day(D(2027, 2, 1))


def test_from_settings_loads_the_catalog(settings, home):
    _write_calendar(home, {"extra_holidays": ["2026-04-20"]})
    assert not WorkCalendar.from_catalog(settings).is_working_day(D(2026, 4, 20))


@pytest.mark.parametrize(
    ("calendar", "message"),
    [
        ({"extra_holidays": ["2026-13-01"]}, r"calendar\.extra_holidays\[0\]: '2026-13-01'"),
        ({"extra_workdays": ["2026-04-25", "soon"]}, r"calendar\.extra_workdays\[1\]: 'soon'"),
        ({"extra_holidays": "2026-04-20"}, r"calendar\.extra_holidays: expected a list"),
        (
            {"extra_holidays": ["2026-04-20"], "extra_workdays": ["2026-04-20"]},
            r"2026-04-20 listed both in extra_holidays and extra_workdays",
        ),
        ({"covered_through": "2025-12-31"}, r"covered_through: '2025-12-31' is before"),
        ({"covered_through": "next year"}, r"covered_through: 'next year'"),
        ({"extra_holiday": []}, r"unknown key\(s\) extra_holiday"),
    ],
)
def test_bad_local_additions_are_named(home, calendar, message):
    _write_calendar(home, calendar)
    with pytest.raises(CalendarConfigError, match=message) as err:
        WorkCalendar.from_catalog(load_catalog(home / "catalog"))
    assert "jurisdiction.yaml" in str(err.value)


def test_unquoted_yaml_dates_are_accepted(home):
    path = home / "catalog" / "jurisdiction.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "extra_holidays: []", "extra_holidays: [2026-04-20]"
    )
    path.write_text(text, encoding="utf-8")
    assert not WorkCalendar.from_catalog(load_catalog(home / "catalog")).is_working_day(
        D(2026, 4, 20)
    )


def test_repository_jurisdiction_file_is_valid(repo_root, tmp_path):
    shutil.copytree(repo_root / "catalog", tmp_path / "catalog")
    cal = WorkCalendar.from_catalog(load_catalog(tmp_path / "catalog"))
    assert cal.last >= STATUTORY_LAST


# --- the `jutong workdays` command ----------------------------------------------------------


def _workdays(capsys, *argv: str) -> tuple[int, str, str]:
    import argparse

    from jutong import workdays_cli

    parser = argparse.ArgumentParser(prog="jutong")
    workdays_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["workdays", *argv])
    rc = args.func(args)
    out, err = capsys.readouterr()
    return rc, out, err


def test_workdays_cli(settings, capsys):
    rc, out, _ = _workdays(capsys, "add", "2025-09-30", "5")
    assert rc == 0 and out.startswith("2025-09-30 + 5 working day(s) = 2025-10-14 (Tue")
    rc, out, _ = _workdays(capsys, "between", "2026-02-12", "2026-02-28")
    assert rc == 0 and out.startswith("7 working day(s)")
    rc, out, _ = _workdays(capsys, "check", "2025-09-28", "2025-10-06")
    assert "make-up working day (National Day)" in out and "Mid-autumn Festival" in out
    rc, out, err = _workdays(capsys, "add", "2026-12-28", "5")
    assert rc == 1 and out == "" and err.startswith("jutong workdays: cannot count")
    assert err.count("\n") == 1


# ---- provisional deadlines past the calendar's data (DOMAIN § Working days) ---------------


def test_due_within_the_data_is_final_and_equals_the_strict_deadline():
    from jutong.workdays import WorkCalendar

    cal = WorkCalendar()
    # received Mon 2026-09-28 across National Day (10-01..10-08 off; 09-27 and 10-10 make-up)
    due = cal.due(dt.date(2026, 9, 28), 5)
    assert not due.provisional and due.note is None
    assert due.day == cal.add_working_days(dt.date(2026, 9, 28), 5)
    assert due.label() == due.day.isoformat()


def test_due_past_the_data_is_provisional_with_fixed_date_holidays_off():
    from jutong.workdays import WorkCalendar

    cal = WorkCalendar()
    # a 30-working-day notice opened 2026-12-01: 22 working days left in December, then
    # (元旦 Jan 1 and the weekend off) Jan 4-8 and 11-13
    due = cal.due(dt.date(2026, 12, 1), 30)
    assert due.provisional and "2026-12-31" in due.note and "provisional" in due.label()
    assert due.day == dt.date(2027, 1, 13)
    # May 1-2 and Oct 1-3 are off in any year; weekends too
    assert cal.is_working_day_provisional(dt.date(2027, 5, 3))  # a Monday
    assert not cal.is_working_day_provisional(dt.date(2027, 10, 1))
    assert not cal.is_working_day_provisional(dt.date(2027, 5, 1))
    assert cal.is_working_day_provisional(dt.date(2027, 10, 4))  # a Monday
    assert cal.due(dt.date(2027, 9, 30), 1).day == dt.date(2027, 10, 4)  # Thu -> Fri 10-01 off
    # a start before the data is still refused
    with pytest.raises(CalendarRangeError):
        cal.due(dt.date(2003, 12, 31), 1)


def test_due_uses_local_additions_past_the_statutory_data():
    from jutong.workdays import WorkCalendar

    cal = WorkCalendar(
        extra_holidays=[dt.date(2027, 1, 1), dt.date(2027, 1, 4)],
        extra_workdays=[dt.date(2027, 1, 9)],
        covered_through=dt.date(2027, 12, 31),
    )
    due = cal.due(dt.date(2026, 12, 28), 5)
    assert not due.provisional
    assert due.day == dt.date(2027, 1, 6)
