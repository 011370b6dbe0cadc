"""What every request needs from the platform: the settings, the catalog, the role policies
and the working-day calendar — loaded once and shared by the application's requests, and
loaded again when a file under the catalog folder changes (a holiday arrangement entered in
``catalog/jurisdiction.yaml``, a role's permissions in ``catalog/roles.yaml``)."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field

from fastapi import Request

from jutong.catalog.loader import Catalog, load_catalog
from jutong.governance.access import RolePolicy, load_policies
from jutong.governance.cases.rules import Role
from jutong.settings import Settings
from jutong.workdays import CHINA_TZ, WorkCalendar


@dataclass
class Context:
    settings: Settings
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _catalog: Catalog | None = None
    _policies: dict[Role, RolePolicy] | None = None
    _calendar: WorkCalendar | None = None
    _signature: tuple | None = None

    def _fresh(self) -> None:
        """Forget what was loaded when the catalog folder's files changed (caller holds the
        lock)."""
        root = self.settings.catalog_dir
        try:
            sig = tuple(
                sorted(
                    (str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*.y*ml")
                )
            )
        except OSError:
            sig = None
        if sig != self._signature:
            self._signature = sig
            self._catalog = self._policies = self._calendar = None

    @property
    def catalog(self) -> Catalog:
        with self._lock:
            self._fresh()
            if self._catalog is None:
                self._catalog = load_catalog(self.settings.catalog_dir)
            return self._catalog

    @property
    def policies(self) -> dict[Role, RolePolicy]:
        with self._lock:
            self._fresh()
            if self._policies is None:
                self._policies = load_policies(self.settings.catalog_dir)
            return self._policies

    @property
    def calendar(self) -> WorkCalendar:
        catalog = self.catalog
        with self._lock:
            if self._calendar is None:
                self._calendar = WorkCalendar.from_catalog(catalog)
            return self._calendar

    @staticmethod
    def today() -> dt.date:
        """Today in Beijing (deadlines are Beijing calendar days)."""
        return dt.datetime.now(CHINA_TZ).date()


def get_context(request: Request) -> Context:
    return request.app.state.context
