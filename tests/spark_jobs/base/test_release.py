"""spark_jobs.base.release: a build's garbage (reference cycles) is collected when it ends."""

from __future__ import annotations

import gc
import weakref

import pytest

from spark_jobs.base.release import releases_jvm_objects


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cycle collector frees it


def _cycle_made_by(build):
    """``build`` wrapped, after a step that leaves a cycle behind (a step's frames are gone
    when the build goes on, as the resolution's are when the publish fails)."""
    refs: list[weakref.ref] = []

    def step():
        node = _Node()
        refs.append(weakref.ref(node))

    @releases_jvm_objects
    def wrapped():
        step()
        return build()

    return wrapped, refs


@pytest.fixture
def no_automatic_gc():
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_cycles_left_by_a_build_are_collected_when_it_returns(no_automatic_gc):
    wrapped, refs = _cycle_made_by(lambda: 42)
    assert wrapped() == 42
    assert refs[0]() is None


def test_cycles_left_by_a_failed_build_are_collected_too(no_automatic_gc):
    def fail():
        raise RuntimeError("audit failed")

    wrapped, refs = _cycle_made_by(fail)
    with pytest.raises(RuntimeError, match="audit failed"):
        wrapped()
    assert refs[0]() is None


def test_without_the_decorator_the_cycle_would_survive(no_automatic_gc):
    # the check above can fail: with automatic collection off, a cycle outlives its frame
    refs = []

    def build():
        node = _Node()
        refs.append(weakref.ref(node))

    build()
    assert refs[0]() is not None
    gc.collect()
    assert refs[0]() is None
