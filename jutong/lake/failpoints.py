"""Failpoints: named places in the write path where a test can make the process fail.

``JUTONG_FAILPOINTS="after_branch_write=kill,in_audit=raise"`` arms them: ``raise`` raises
``FailpointError`` there, ``kill`` ends the process at once with SIGKILL (no clean-up, no
``finally``), as a crash or an OOM kill would. An optional ``@N`` fires on the N-th hit only
(``after_publish_commit=kill@2``: the second table of a unit). Unset, a failpoint costs one
dictionary lookup.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

from jutong.lake.errors import FailpointError

ENV = "JUTONG_FAILPOINTS"

# The places, in the order a publish passes them.
POINTS = (
    "before_branch",
    "after_branch_write",
    "in_audit",
    "before_publish_commit",
    "after_publish_commit",
    "in_branch_removal",
    "between_unit_publishes",
)

_hits: Counter[str] = Counter()


def _armed() -> dict[str, tuple[str, int | None]]:
    spec = os.environ.get(ENV, "").strip()
    out: dict[str, tuple[str, int | None]] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, action = part.partition("=")
        action, _, nth = (action or "raise").partition("@")
        if name not in POINTS or action not in ("raise", "kill"):
            raise ValueError(f"{ENV}: bad failpoint '{part}' (points: {', '.join(POINTS)})")
        out[name] = (action, int(nth) if nth else None)
    return out


def hit(name: str) -> None:
    """Fail here when the failpoint ``name`` is armed."""
    if ENV not in os.environ:
        return
    armed = _armed().get(name)
    if armed is None:
        return
    _hits[name] += 1
    action, nth = armed
    if nth is not None and _hits[name] != nth:
        return
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    raise FailpointError(f"failpoint {name}")
