"""jutong.orchestration.scheduler: the chain waited for through Airflow's API.

The waiting logic is checked here against a scripted scheduler (runs appearing over a fake
clock); the real scheduler drives the demo in the stack stage (tests/stack/test_stack_chain.py).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from jutong.orchestration.scheduler import AirflowAPI, SchedulerError, drive_chain


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.now += s


class ScriptedScheduler:
    """Runs that appear at given times (seconds after the trigger) and end later; Asset
    events queued for a DAG until its run appears."""

    def __init__(self, clock: Clock, script: list[tuple[str, float, float, str]]):
        self.clock = clock
        self.script = script  # (dag_id, appears, ends, final state)
        self.triggered: list[str] = []
        self.unpaused: list[str] = []
        self.t0: float | None = None
        self.parsed_at = 0.0

    def dag(self, dag_id):
        if self.clock.now < self.parsed_at:
            return None
        return {"dag_id": dag_id, "is_paused": dag_id.startswith("ingest")}

    def unpause(self, dag_id):
        self.unpaused.append(dag_id)

    def trigger(self, dag_id, note):
        self.triggered.append(dag_id)
        if self.t0 is None:
            self.t0 = self.clock.now
        return {}

    def _elapsed(self) -> float:
        return -1 if self.t0 is None else self.clock.now - self.t0

    def runs_since(self, since):
        out = []
        for i, (dag_id, appears, ends, final) in enumerate(self.script):
            t = self._elapsed()
            if t < appears:
                continue
            state = final if t >= ends else ("running" if t >= appears + 1 else "queued")
            out.append(
                {
                    "dag_id": dag_id,
                    "dag_run_id": f"r{i}",
                    "state": state,
                    "duration": ends - appears,
                }
            )
        return out

    def task_instances(self, dag_id, run_id):
        state = next(r["state"] for r in self.runs_since(None) if r["dag_run_id"] == run_id)
        if state == "failed":
            return [{"task_id": "ingest", "map_index": 0, "state": "failed"}]
        return [{"task_id": "work", "map_index": -1, "state": "success"}]

    def asset_events(self, dag_id, run_id):
        return 1

    def queued_asset_events(self, dag_id):
        # the upstream run's Asset event waits in the queue until the scheduler creates the run
        # (from the end of the run before it in the script until the run appears)
        t = self._elapsed()
        n = 0
        for i, (d, appears, _, _) in enumerate(self.script):
            if d == dag_id and i > 0 and self.script[i - 1][2] <= t < appears:
                n += 1
        return n


CHAIN = ["ingest__a", "standardize__a", "build__population", "release__x"]


def test_waits_for_the_whole_chain_and_reports_each_run():
    clock = Clock()
    sched = ScriptedScheduler(
        clock,
        [
            ("ingest__a", 0, 10, "success"),
            ("standardize__a", 12, 30, "success"),
            # the build's run appears late after a quiet moment: the queued event holds the wait
            ("build__population", 45, 80, "success"),
            ("release__x", 82, 90, "success"),
            ("other_dag", 5, 6, "success"),  # not of the chain: ignored
        ],
    )
    sched.parsed_at = 7.0  # the dag-processor needs a moment
    events = []
    results = drive_chain(
        sched,
        ["ingest__a"],
        CHAIN,
        progress=events.append,
        poll=2,
        settle=10,
        clock=clock,
        sleep=clock.sleep,
    )
    assert [r.dag_id for r in results] == CHAIN
    assert all(r.state == "success" for r in results)
    assert sched.triggered == ["ingest__a"]  # only the ingest DAG is triggered
    assert sched.unpaused == ["ingest__a"]
    starts = [e["dag_id"] for e in events if e["event"] == "start"]
    ends = [e["dag_id"] for e in events if e["event"] == "end"]
    assert starts == ends == CHAIN
    assert results[1].seconds == 18


def test_runs_since_the_delivery_belong_to_the_chain():
    """On a stack just started, the scheduler's first run of an ingest DAG may take the files
    before the triggered run: the runs are looked for from the delivery on."""
    clock = Clock()
    sched = ScriptedScheduler(clock, [("ingest__a", 0, 10, "success")])
    asked = []
    runs_since = sched.runs_since
    sched.runs_since = lambda since: asked.append(since) or runs_since(since)
    delivered = dt.datetime(2026, 12, 4, 18, 12, 0, tzinfo=dt.UTC)
    drive_chain(
        sched,
        ["ingest__a"],
        ["ingest__a"],
        poll=2,
        settle=4,
        clock=clock,
        sleep=clock.sleep,
        since=delivered,
    )
    assert set(asked) - {None} == {delivered - dt.timedelta(seconds=1)}  # None: task lookups


def test_a_failed_run_is_reported_with_its_tasks():
    clock = Clock()
    sched = ScriptedScheduler(clock, [("ingest__a", 0, 4, "failed")])
    results = drive_chain(
        sched, ["ingest__a"], CHAIN, poll=1, settle=5, clock=clock, sleep=clock.sleep
    )
    assert [(r.dag_id, r.state, r.failed_tasks) for r in results] == [
        ("ingest__a", "failed", ["ingest[0]"])
    ]


def test_a_chain_that_never_settles_is_an_error_naming_the_runs():
    clock = Clock()
    sched = ScriptedScheduler(clock, [("ingest__a", 0, 10_000, "success")])
    with pytest.raises(SchedulerError, match=r"not settled after 60 s.*ingest__a \(running\)"):
        drive_chain(
            sched,
            ["ingest__a"],
            CHAIN,
            poll=5,
            settle=5,
            timeout=60,
            clock=clock,
            sleep=clock.sleep,
        )


def test_dags_the_scheduler_never_parses_are_named():
    clock = Clock()
    sched = ScriptedScheduler(clock, [])
    sched.parsed_at = 1e9
    with pytest.raises(SchedulerError, match="has not parsed 4 DAG"):
        drive_chain(
            sched,
            ["ingest__a"],
            CHAIN,
            poll=5,
            parse_timeout=30,
            clock=clock,
            sleep=clock.sleep,
        )


# ---- the HTTP client against a local server speaking the same protocol ------------------


class _Handler(BaseHTTPRequestHandler):
    calls: list[tuple[str, str, dict | None, str | None]] = []
    token_version = 0

    def log_message(self, *a):
        pass

    def _reply(self, code: int, body: dict) -> None:
        raw = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _handle(self, method: str) -> None:
        n = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(n)) if n else None
        auth = self.headers.get("Authorization")
        type(self).calls.append((method, self.path, body, auth))
        if self.path == "/auth/token":
            if body != {"username": "admin", "password": "s3cret"}:
                return self._reply(401, {"detail": "Invalid credentials"})
            type(self).token_version += 1
            return self._reply(201, {"access_token": f"tok{type(self).token_version}"})
        if auth == "Bearer tok1" and "expire" in self.path:
            return self._reply(401, {"detail": "expired"})
        if self.path.startswith("/api/v2/dags/missing"):
            return self._reply(404, {"detail": "not found"})
        if self.path.startswith("/api/v2/dags/~/dagRuns"):
            started = {"dag_id": "a", "dag_run_id": "r1", "state": "running"}
            queued = {"dag_id": "b", "dag_run_id": "r2", "state": "queued"}
            ended = {"dag_id": "c", "dag_run_id": "r3", "state": "success"}
            early = {"dag_id": "d", "dag_run_id": "r4", "state": "running"}  # began before
            if "state=queued" in self.path:
                runs = [queued]
            elif "state=running" in self.path:
                runs = [started, early]
            elif "end_date_gte" in self.path:
                runs = [ended]
            else:
                runs = [started, queued]
            return self._reply(200, {"dag_runs": runs, "total_entries": len(runs)})
        return self._reply(200, {"ok": True})

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PATCH(self):
        self._handle("PATCH")


@pytest.fixture
def server():
    _Handler.calls = []
    _Handler.token_version = 0
    httpd = HTTPServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_client_logs_in_once_sends_the_token_and_renews_it_when_expired(server):
    api = AirflowAPI(server, "admin", "s3cret")
    api.unpause("ingest__a")
    api.trigger("ingest__a", note="n")
    assert api.dag("missing") is None
    api.call("GET", "/api/v2/expire")  # tok1 refused: logs in again, retried with tok2
    methods = [(m, p.split("?")[0], a) for m, p, _, a in _Handler.calls]
    assert methods[0] == ("POST", "/auth/token", None)
    assert ("PATCH", "/api/v2/dags/ingest__a", "Bearer tok1") in methods
    assert ("POST", "/api/v2/dags/ingest__a/dagRuns", "Bearer tok1") in methods
    assert methods[-1] == ("GET", "/api/v2/expire", "Bearer tok2")
    trigger = next(b for m, p, b, _ in _Handler.calls if p.endswith("/dagRuns") and m == "POST")
    assert trigger == {"logical_date": None, "note": "n"}  # Airflow 3 requires logical_date
    since = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)
    # runs started or ended since, running (one began before: it may have taken the files)
    # and still queued (not started yet), each once
    assert [r["dag_run_id"] for r in api.runs_since(since)] == ["r1", "r2", "r3", "r4"]
    queries = [p for m, p, _, _ in _Handler.calls if "dagRuns?" in p]
    assert "start_date_gte=2026-12-03T00%3A00%3A00%2B00%3A00" in queries[0]
    assert "end_date_gte=2026-12-03T00%3A00%3A00%2B00%3A00" in queries[1]


def test_wrong_credentials_and_no_server_are_clear_errors(server):
    with pytest.raises(SchedulerError, match="refused the login of 'admin'.*AIRFLOW_API_USER"):
        AirflowAPI(server, "admin", "wrong").unpause("x")
    with pytest.raises(SchedulerError, match="does not answer.*make stack"):
        AirflowAPI("http://127.0.0.1:9", "admin", "s3cret").unpause("x")


def test_credentials_come_from_the_environment():
    with pytest.raises(SchedulerError, match="AIRFLOW_API_USER and AIRFLOW_API_PASSWORD"):
        AirflowAPI.from_environment("http://x", {})
    api = AirflowAPI.from_environment(
        "http://x/", {"AIRFLOW_API_USER": "u", "AIRFLOW_API_PASSWORD": "p"}
    )
    assert api.base_url == "http://x"
