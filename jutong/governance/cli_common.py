"""What the governance commands share: the settings, one-line errors, who acts (``--as``)
and when (``--at``, dates in Beijing time)."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys


def settings_():
    """The settings (loaded on first use: commands import this module cheaply)."""
    from jutong.settings import get_settings

    return get_settings()


def fail(noun: str, err: BaseException) -> int:
    text = " / ".join(m.strip() for m in str(err).strip().splitlines() if m.strip())
    print(f"jutong {noun}: {text}", file=sys.stderr)
    return 1


def user_errors() -> tuple[type[BaseException], ...]:
    from jutong.catalog.loader import CatalogError
    from jutong.governance.access import PolicyError
    from jutong.governance.cases.actors import ActorError
    from jutong.governance.cases.model import CaseError
    from jutong.workdays import CalendarConfigError, CalendarRangeError

    return (
        CaseError,
        ActorError,
        CatalogError,
        PolicyError,
        CalendarRangeError,
        CalendarConfigError,
        argparse.ArgumentTypeError,
    )


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or "unknown"


def actor_(text: str | None, catalog):
    """Who acts: ``--as``, else ``$JUTONG_AS``, else the OS user as bureau administrator."""
    from jutong.governance.cases.actors import parse_actor
    from jutong.governance.sharing.requests import bureau_department

    text = text or os.environ.get("JUTONG_AS")
    if not text:
        text = f"{os_user()}:bureau_admin@{bureau_department(catalog)}"
    return parse_actor(text, catalog.departments)


def when(text: str | None) -> dt.datetime | None:
    """``--at``: ISO date-time (naive = Beijing time) or a date (09:00 Beijing time)."""
    from jutong.workdays import CHINA_TZ

    if not text:
        return None
    try:
        if len(text.strip()) == 10:
            d = dt.date.fromisoformat(text.strip())
            return dt.datetime(d.year, d.month, d.day, 9, 0, tzinfo=CHINA_TZ)
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--at: '{text}' is not a date YYYY-MM-DD or date-time YYYY-MM-DDTHH:MM"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=CHINA_TZ)


def day(text: str | None) -> dt.date | None:
    """A ``YYYY-MM-DD`` option, or None."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date YYYY-MM-DD") from None


def today() -> dt.date:
    """Today in Beijing."""
    from jutong.workdays import CHINA_TZ

    return dt.datetime.now(CHINA_TZ).date()
