"""Run tokens: who is writing. Every WAP branch and every data folder a write creates carries
the writing process's token, so that ``jutong lake repair`` can tell a dead run's leftovers
from a live run's work in progress.

A token is ``<started>-<pid>-<nonce>@<host>`` (the host with letters, digits, ``.`` and ``-``
only, so that a ``_`` after it — ``<token>_<n>`` branches, ``<token>_<hex>`` files — ends it). A run on this host is dead when its process is
gone (or the pid now belongs to a younger process); a run on another host is presumed alive
until it is older than the grace period.
"""

from __future__ import annotations

import os
import re
import socket
import time
import uuid
from dataclasses import dataclass

_TOKEN = re.compile(
    r"(?P<started>\d{9,11})-(?P<pid>\d+)-(?P<nonce>[0-9a-f]{6,})@(?P<host>[A-Za-z0-9.\-]+)"
)
DEFAULT_GRACE_S = 6 * 3600


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9.\-]", "-", socket.gethostname()) or "localhost"


@dataclass(frozen=True)
class RunToken:
    started: int  # epoch seconds
    pid: int
    nonce: str
    host: str

    def __str__(self) -> str:
        return f"{self.started}-{self.pid}-{self.nonce}@{self.host}"

    @classmethod
    def parse(cls, text: str) -> RunToken | None:
        """The token inside ``text`` (a branch name or a file path), or None."""
        m = _TOKEN.search(text)
        if m is None:
            return None
        return cls(int(m["started"]), int(m["pid"]), m["nonce"], m["host"])

    def age_s(self) -> float:
        return time.time() - self.started


_current: RunToken | None = None


def current_run() -> RunToken:
    """This process's token (a forked child gets its own)."""
    global _current
    if _current is None or _current.pid != os.getpid():
        _current = RunToken(int(time.time()), os.getpid(), uuid.uuid4().hex[:8], _host())
    return _current


def _process_started(pid: int) -> float | None:
    """When process ``pid`` started (epoch seconds), on Linux; None when unknown."""
    try:
        stat = open(f"/proc/{pid}/stat", encoding="ascii").read()  # noqa: SIM115
        ticks = int(stat.rsplit(")", 1)[1].split()[19])
        with open("/proc/stat", encoding="ascii") as f:
            btime = next(int(line.split()[1]) for line in f if line.startswith("btime "))
        return btime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def run_is_alive(token: RunToken, grace_s: float = DEFAULT_GRACE_S) -> bool:
    """Whether the run that owns ``token`` may still be writing."""
    if token.host != _host():
        return token.age_s() < grace_s
    try:
        os.kill(token.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    started = _process_started(token.pid)
    # the pid was reused by a process that started after the run
    return not (started is not None and started > token.started + 2)
