"""Run this project's DAGs through real Airflow from the command line.

``run_dags`` starts one Python process with the Airflow environment of the settings, parses the
DAG folder with Airflow's DagBag and runs each DAG with ``dag.test()`` (the embedded default:
no scheduler to start). Airflow's own log goes to a file; the caller gets each run's state,
its failed and skipped tasks and the Asset events it emitted.

``dag.test()`` records each run's Asset events as the scheduler would, and Airflow queues
them for the DAGs scheduled on those Assets. With ``clear_queue`` (the demo), the queue of the
DAGs this chain ran anyway is emptied afterwards: a scheduler started later (``make
airflow``) does not run them all again for events the chain already handled.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from jutong.settings import Settings, get_settings


@dataclass
class DagRunResult:
    dag_id: str
    state: str
    seconds: float
    failed_tasks: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped_tasks: list[str] = field(default_factory=list)
    asset_events: int = 0
    # when the run started and ended (epoch seconds), where known: runs of the scheduler
    # overlap, so a stage's time is the span its runs cover, not the sum of their times
    started: float | None = None
    ended: float | None = None


def airflow_environ(settings: Settings) -> dict[str, str]:
    # the OpenLineage file transport writes into this folder, but does not create it
    settings.openlineage_events_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(settings.airflow_env())
    # airflow standalone starts its components as `airflow ...` from PATH
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bindir, env.get("PATH", "")])
    return env


def airflow_bin() -> str:
    return str(Path(sys.executable).with_name("airflow"))


def ensure_airflow_db(settings: Settings) -> None:
    """Create or upgrade Airflow's metadata database once per Airflow version."""
    import importlib.metadata

    version = importlib.metadata.version("apache-airflow")
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    stamp = settings.airflow_home / f".jutong-db-migrated-{version}"
    if stamp.exists() and (
        settings.airflow_database_uri or (settings.airflow_home / "airflow.db").exists()
    ):
        return
    proc = subprocess.run(
        [airflow_bin(), "db", "migrate"],
        env=airflow_environ(settings),
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"airflow db migrate failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        )
    stamp.write_text(time.strftime("%Y-%m-%dT%H:%M:%S"))


def run_dags(
    settings: Settings,
    dag_ids: list[str],
    log_file: Path,
    *,
    clear_queue: bool = False,
    progress: Callable[[dict], None] | None = None,
) -> list[DagRunResult]:
    """Run the DAGs in order in one Airflow process; Airflow's output goes to ``log_file``.

    ``progress(event)`` is called as the runs go: ``{"event": "start", "dag_id", "index",
    "total", "tasks"}`` when a DAG starts, ``{"event": "task", "dag_id", "task_id", "state",
    "done", "tasks", "index", "total"}`` as each of its tasks ends (``done`` of its
    ``tasks``), ``{"event": "step", "dag_id", "step", "index", "total", "tasks"}`` as a job
    in it starts a step (``jutong.steps``: a build's keys, splink, golden records …), and
    ``{"event": "end", **result, "index", "total"}`` when it ended (read from a progress file
    the Airflow process appends to)."""
    ensure_airflow_db(settings)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    result_file = log_file.with_suffix(".results.json")
    progress_file = log_file.with_suffix(".progress.jsonl")
    result_file.unlink(missing_ok=True)
    progress_file.unlink(missing_ok=True)
    with open(log_file, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jutong.orchestration.runner",
                str(result_file),
                *(["--clear-queue"] if clear_queue else []),
                *dag_ids,
            ],
            env=airflow_environ(settings),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        seen = 0
        while True:
            done = proc.poll() is not None
            seen = _follow(progress_file, seen, progress)
            if done:
                break
            time.sleep(0.5)
    if not result_file.exists():
        tail = log_file.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(
            f"the Airflow run failed before running DAGs (exit {proc.returncode}); log {log_file}:\n{tail}"
        )
    return [DagRunResult(**r) for r in json.loads(result_file.read_text(encoding="utf-8"))]


def _follow(path: Path, seen: int, progress: Callable[[dict], None] | None) -> int:
    """Pass the progress lines after the first ``seen`` to ``progress``; returns lines seen."""
    if progress is None or not path.exists():
        return seen
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    complete = lines if text.endswith("\n") else lines[:-1]  # a line being written waits
    for line in complete[seen:]:
        progress(json.loads(line))
    return max(seen, len(complete))


def _announce(result_file: str, event: dict) -> None:
    """Append one progress line (see ``run_dags``)."""
    path = Path(result_file).with_name(
        Path(result_file).name.replace(".results.json", ".progress.jsonl")
    )
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(event, ensure_ascii=False) + "\n")


def _announce_runs() -> None:
    """The scheduler tells the listeners when it starts a run (``on_dag_run_running``: the
    OpenLineage START event of the run); ``dag.test()`` creates its run already running and
    never does. Every run it creates is announced here, once created."""
    import airflow.models.dagrun as dagrun

    create = dagrun.get_or_create_dagrun
    if getattr(create, "jutong_announces", False):
        return

    def get_or_create_dagrun(*args, **kwargs):
        run = create(*args, **kwargs)
        run.notify_dagrun_state_changed(msg="started by dag.test()")
        return run

    get_or_create_dagrun.jutong_announces = True  # type: ignore[attr-defined]
    dagrun.get_or_create_dagrun = get_or_create_dagrun


class _TaskEnds:
    """An Airflow listener (``dag.test()`` runs the tasks in this process) announcing each
    task of the current run as it ends: how many of the run's tasks are done."""

    def __init__(self, result_file: str):
        self.result_file = result_file
        self.run: dict = {}
        self.done: set[str] = set()

    def start(self, dag_id: str, tasks: int, index: int, total: int) -> dict:
        """A new run: returns its place (the fields of every event of it)."""
        self.run = {"dag_id": dag_id, "index": index, "total": total, "tasks": tasks}
        self.done = set()
        return self.run

    def step(self, name: str) -> None:
        """A job of the current run started the step ``name`` (``jutong.steps``)."""
        if self.run:
            _announce(self.result_file, {"event": "step", "step": name, **self.run})

    def _ended(self, task_instance, state: str) -> None:
        if getattr(task_instance, "dag_id", None) != self.run.get("dag_id"):
            return
        if task_instance.task_id in self.done:
            return  # a mapped task counts once
        self.done.add(task_instance.task_id)
        event = {"event": "task", "task_id": task_instance.task_id, "state": state}
        event.update(self.run, done=len(self.done))
        _announce(self.result_file, event)

    def listener(self):
        from airflow.listeners import hookimpl

        ends = self

        class Listener:
            @hookimpl
            def on_task_instance_success(self, previous_state, task_instance):
                ends._ended(task_instance, "success")

            @hookimpl
            def on_task_instance_failed(self, previous_state, task_instance, error):
                ends._ended(task_instance, "failed")

            @hookimpl
            def on_task_instance_skipped(self, previous_state, task_instance):
                ends._ended(task_instance, "skipped")

        return Listener()


def _main(result_file: str, dag_ids: list[str], clear_queue: bool = False) -> int:
    # Runs inside the Airflow environment (see run_dags).
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk.listener import get_listener_manager

    from jutong.steps import observe

    _announce_runs()
    ends = _TaskEnds(result_file)
    # the task runner's listeners: dag.test() runs each task in this process, and so the
    # steps of the jobs its tasks call
    get_listener_manager().add_listener(ends.listener())
    observe(ends.step)
    settings = get_settings()
    bag = DagBag(dag_folder=str(settings.dags_dir))
    results: list[dict] = []
    if bag.import_errors:
        for path, err in bag.import_errors.items():
            print(f"DAG import error in {path}:\n{err}")
    total = len(dag_ids)
    for index, dag_id in enumerate(dag_ids, 1):
        dag = bag.get_dag(dag_id)
        run = ends.start(dag_id, len(dag.task_dict) if dag else 0, index, total)
        _announce(result_file, {"event": "start", **run})
        if dag is None:
            errs = [f"{p}: {e.strip().splitlines()[-1]}" for p, e in bag.import_errors.items()]
            results.append(
                {
                    "dag_id": dag_id,
                    "state": "missing",
                    "seconds": 0.0,
                    "errors": errs or ["no such DAG"],
                }
            )
            _announce(result_file, {"event": "end", **results[-1], "index": index, "total": total})
            continue
        t0 = time.perf_counter()
        dr = dag.test()
        failed, skipped = [], []
        for ti in dr.get_task_instances():
            name = ti.task_id + (
                f"[{ti.map_index}]" if ti.map_index is not None and ti.map_index >= 0 else ""
            )
            if ti.state in ("failed", "upstream_failed"):
                failed.append(name)
            elif ti.state == "skipped":
                skipped.append(name)
        results.append(
            {
                "dag_id": dag_id,
                "state": str(dr.state.value if hasattr(dr.state, "value") else dr.state),
                "seconds": round(time.perf_counter() - t0, 1),
                "failed_tasks": failed,
                "errors": [],
                "skipped_tasks": skipped,
                "asset_events": _events_of(dag_id, dr.run_id),
            }
        )
        _announce(result_file, {"event": "end", **results[-1], "index": index, "total": total})
    if clear_queue:
        _clear_queue([r["dag_id"] for r in results if r["state"] != "missing"])
    Path(result_file).write_text(json.dumps(results), encoding="utf-8")
    return 0


def _events_of(dag_id: str, run_id: str) -> int:
    """How many Asset events the run emitted."""
    import sqlalchemy as sa
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session

    with create_session() as session:
        return session.scalar(
            sa.select(sa.func.count())
            .select_from(AssetEvent)
            .where(AssetEvent.source_dag_id == dag_id, AssetEvent.source_run_id == run_id)
        )


def _clear_queue(dag_ids: list[str]) -> None:
    """Empty the Asset queue of DAGs the chain ran (see the module docstring)."""
    import sqlalchemy as sa
    from airflow.models.asset import AssetDagRunQueue
    from airflow.utils.session import create_session

    with create_session() as session:
        n = session.execute(
            sa.delete(AssetDagRunQueue).where(AssetDagRunQueue.target_dag_id.in_(dag_ids))
        ).rowcount
    print(f"cleared {n} queued Asset event(s) of the {len(dag_ids)} DAG(s) this chain ran")


if __name__ == "__main__":
    args = sys.argv[2:]
    clear_queue = "--clear-queue" in args
    sys.exit(_main(sys.argv[1], [a for a in args if a != "--clear-queue"], clear_queue))
