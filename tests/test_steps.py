"""The step clock of long jobs (jutong.steps)."""

import time

from jutong.steps import StepClock


def test_steps_add_up_in_order_and_the_line_names_them():
    clock = StepClock()
    with clock.step("inputs"):
        time.sleep(0.02)
    with clock.step("matching"):
        time.sleep(0.01)
    with clock.step("inputs"):  # a step entered twice adds up
        time.sleep(0.02)
    assert list(clock.seconds) == ["inputs", "matching"]
    assert clock.seconds["inputs"] >= 0.04
    assert 0.01 <= clock.seconds["matching"] < clock.seconds["inputs"]
    assert clock.total >= sum(clock.seconds.values())
    line = clock.line()
    assert line.startswith("inputs 0.0 s · matching 0.0 s · total ") and line.endswith(" s")
    assert clock.rounded() == {k: round(v, 1) for k, v in clock.seconds.items()}


def test_a_failing_step_is_still_timed():
    clock = StepClock()
    try:
        with clock.step("publish"):
            raise RuntimeError("audit failed")
    except RuntimeError:
        pass
    assert "publish" in clock.seconds


def test_steps_line_is_the_clocks_line_without_the_total():
    from jutong.steps import steps_line

    assert steps_line({"inputs": 1.234, "splink": 24.0}) == "inputs 1.2 s · splink 24.0 s"
    assert steps_line({}) == ""


def test_observers_are_told_each_step_as_it_starts_and_never_fail_the_job():
    from jutong.steps import observe

    seen: list[str] = []

    def broken(name: str) -> None:
        raise RuntimeError("a progress display that fails")

    stop_seen, stop_broken = observe(seen.append), observe(broken)
    try:
        clock = StepClock()
        with clock.step("keys"):
            assert seen == ["keys"]  # told on entry, before the step's work
        with clock.step("splink"):
            pass
    finally:
        stop_seen()
        stop_broken()
    assert seen == ["keys", "splink"]
    with StepClock().step("publish"):
        pass
    assert seen == ["keys", "splink"]  # stopped: told nothing more
