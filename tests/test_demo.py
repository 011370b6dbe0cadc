"""The demo's summary of the chain's time per stage (issue 19 item 5)."""

from jutong.demo import stage_line, stage_seconds
from jutong.orchestration.runner import DagRunResult


def _run(dag_id: str, seconds: float) -> DagRunResult:
    return DagRunResult(dag_id=dag_id, state="success", seconds=seconds)


RUNS = [
    _run("ingest__gongan__huji", 5.6),
    _run("ingest__shenpi__xuke", 1.1),
    _run("standardize__gongan__huji", 16.8),
    _run("build__legal_entity", 32.9),
    _run("build__population", 23.9),
    _run("build__themes", 18.0),
    _run("release__qiye_registrations", 1.0),
]


def test_each_dag_run_counts_in_its_stage_the_theme_build_apart_from_the_bases():
    assert stage_seconds(RUNS) == {
        "ingest": 6.7,
        "standardize + gate": 16.8,
        "base databases": 56.8,
        "theme databases": 18.0,
        "open releases": 1.0,
    }


def test_the_line_adds_what_the_wall_time_spent_outside_the_runs():
    line = stage_line(RUNS, wall=110.0)
    assert line.startswith("ingest 6.7 s · standardize + gate 16.8 s · base databases 56.8 s")
    assert line.endswith("open releases 1.0 s · the rest (Airflow, waiting) 10.7 s")


def test_runs_that_overlap_on_a_scheduler_leave_no_negative_rest_and_unknown_dags_are_named():
    runs = [*RUNS, _run("share__deliver", 2.0)]
    assert stage_seconds(runs)["other DAGs"] == 2.0
    assert stage_line(runs, wall=50.0).endswith("the rest (Airflow, waiting) 0.0 s")


def test_the_task_bar_fills_with_the_ended_tasks():
    from jutong.demo import task_bar

    assert task_bar(0, 4, width=8) == "▕░░░░░░░░▏ 0/4 tasks"
    assert task_bar(1, 4, width=8) == "▕██░░░░░░▏ 1/4 tasks"
    assert task_bar(4, 4, width=8) == "▕████████▏ 4/4 tasks"
    assert task_bar(0, 0, width=4) == "▕████▏ 0/0 tasks"


def test_a_stage_of_overlapping_scheduler_runs_counts_the_span_they_cover_once():
    from jutong.demo import covered_seconds

    def run(dag_id, start, end):
        return DagRunResult(
            dag_id=dag_id, state="success", seconds=end - start, started=start, ended=end
        )

    runs = [
        run("standardize__a", 100.0, 160.0),
        run("standardize__b", 110.0, 150.0),  # inside the first
        run("standardize__c", 150.0, 190.0),  # overlaps its end
        run("standardize__d", 200.0, 205.0),  # after a gap
        run("build__population", 190.0, 260.0),
    ]
    stages = stage_seconds(runs)
    assert stages["standardize + gate"] == 95.0  # 100–190 and 200–205, not 60+40+40+5
    assert stages["base databases"] == 70.0
    assert covered_seconds([]) == 0.0
    assert covered_seconds([(0.0, 1.0), (1.0, 2.0), (5.0, 6.5)]) == 3.5
    # a run whose times are unknown (the embedded runner's): its time is added
    mixed = [*runs[:2], DagRunResult(dag_id="standardize__e", state="success", seconds=7.0)]
    assert stage_seconds(mixed)["standardize + gate"] == 107.0
