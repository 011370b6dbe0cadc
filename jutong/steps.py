"""Wall time per step of a long job, for its log line and its result (issue 19: "print each
step's time").

    clock = StepClock()
    with clock.step("inputs"):
        ...
    clock.seconds   # {"inputs": 1.23, ...} in the order the steps ran
    clock.line()    # "inputs 1.2 s · matching 24.0 s · total 25.2 s"

A step entered twice adds up. Spark is lazy: a step's time is the time of the actions it
runs (counts, collects, writes), which is where a build spends it.

``observe(fn)``: ``fn(name)`` is told each step as it starts, in this process (the embedded
runner shows a long build's current step); an observer's error never reaches the job.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_observers: list[Callable[[str], None]] = []


def observe(fn: Callable[[str], None]) -> Callable[[], None]:
    """Tell ``fn`` the name of each step as it starts; returns the function that stops it."""
    _observers.append(fn)
    return lambda: _observers.remove(fn) if fn in _observers else None


def _started(name: str) -> None:
    for fn in list(_observers):
        with contextlib.suppress(Exception):  # progress display only: never fails a job
            fn(name)


class StepClock:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._started = time.perf_counter()

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        _started(name)
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t0

    @property
    def total(self) -> float:
        """Seconds since the clock was made (steps plus what ran between them)."""
        return time.perf_counter() - self._started

    def rounded(self) -> dict[str, float]:
        """The steps' seconds rounded to 0.1 s (for a result or a JSON line)."""
        return {k: round(v, 1) for k, v in self.seconds.items()}

    def line(self) -> str:
        return f"{steps_line(self.seconds)} · total {self.total:.1f} s"


def steps_line(seconds: dict[str, float]) -> str:
    """``{"inputs": 1.23, "splink": 24.0}`` as ``inputs 1.2 s · splink 24.0 s``."""
    return " · ".join(f"{name} {s:.1f} s" for name, s in seconds.items())
