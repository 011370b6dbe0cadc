"""Let the JVM free what a build's Python objects held.

A PySpark DataFrame, Column or plan object is a py4j ``JavaObject``; the JVM keeps its target
alive until the Python object is collected. Those objects sit in reference cycles (bound
methods a ``JavaObject`` caches refer back to it), so they are freed only by Python's cycle
collector, which runs when Python allocates enough — not when the JVM runs short. After a
base build its DataFrames (cached frames, plans with broadcast relations) are garbage:
``releases_jvm_objects`` runs the collector when the build returns or fails, so a session
that builds several bases in turn does not carry every earlier build's plans in its heap.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def releases_jvm_objects(build: Callable[P, R]) -> Callable[P, R]:
    """Run ``gc.collect()`` after ``build`` returns or raises (see the module docstring)."""

    @functools.wraps(build)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return build(*args, **kwargs)
        finally:
            gc.collect()

    return wrapper
