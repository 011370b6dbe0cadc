"""Drive the chain through a running Airflow scheduler (issue 18 item 3).

On the stack (``airflow_api_url`` set, e.g. by ``jutong stack up``'s profile) the demo triggers
nothing but the ingest DAGs, through Airflow's REST API; standardize, base builds, themes and
releases follow from Asset events alone, as in production. ``drive_chain`` waits for them:
it reports each DAG run as it starts and ends, and returns when no run of the chain is queued
or running and no Asset event waits for one of its DAGs, twice in a row a settle interval
apart (the scheduler creates Asset-triggered runs within a loop or two).

Only the standard library: the core imports no Airflow (``AirflowAPI`` speaks HTTP + JSON).
The API's user and password come from the environment (``AIRFLOW_API_USER``,
``AIRFLOW_API_PASSWORD``; ``source .stack/env`` sets them), never from settings.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from jutong.orchestration.runner import DagRunResult

TERMINAL = frozenset({"success", "failed"})
ACTIVE = frozenset({"queued", "running"})
USER_ENV = "AIRFLOW_API_USER"
PASSWORD_ENV = "AIRFLOW_API_PASSWORD"


class SchedulerError(RuntimeError):
    """The scheduler could not be reached or the chain did not settle."""


class AirflowAPI:
    """The few calls of Airflow 3's REST API (``/api/v2``) the chain needs, with a JWT from
    ``/auth/token`` (renewed once when it expires)."""

    def __init__(self, base_url: str, username: str, password: str, *, timeout: float = 30):
        self.base_url = base_url.rstrip("/")
        self._credentials = {"username": username, "password": password}
        self.timeout = timeout
        self._token: str | None = None

    @classmethod
    def from_environment(cls, base_url: str, environ: dict[str, str] | None = None) -> AirflowAPI:
        env = os.environ if environ is None else environ
        user, password = env.get(USER_ENV), env.get(PASSWORD_ENV)
        if not user or not password:
            raise SchedulerError(
                f"{USER_ENV} and {PASSWORD_ENV} are not set: the Airflow API at {base_url} needs "
                "them (on the stack: source .stack/env)"
            )
        return cls(base_url, user, password)

    # ---- HTTP ------------------------------------------------------------------------
    def _send(self, method: str, path: str, body: dict | None, token: str | None):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(
            self.base_url + path, data=data, method=method, headers=headers
        )
        with urllib.request.urlopen(req, timeout=self.timeout) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else {}

    def _login(self) -> str:
        try:
            out = self._send("POST", "/auth/token", self._credentials, None)
        except urllib.error.HTTPError as err:
            raise SchedulerError(
                f"Airflow at {self.base_url} refused the login of {self._credentials['username']!r} "
                f"(HTTP {err.code}); check {USER_ENV} / {PASSWORD_ENV}"
            ) from None
        except (urllib.error.URLError, OSError) as err:
            raise SchedulerError(
                f"Airflow's API at {self.base_url} does not answer ({err}); is the stack up? "
                "(make stack; jutong stack status)"
            ) from None
        return out["access_token"]

    def call(self, method: str, path: str, body: dict | None = None, **params) -> dict:
        """One API call; ``params`` become the query string (lists repeated)."""
        query = urllib.parse.urlencode(
            [
                (k, v)
                for k, vs in params.items()
                if vs is not None
                for v in (vs if isinstance(vs, list | tuple) else [vs])
            ]
        )
        full = path + (f"?{query}" if query else "")
        for attempt in (1, 2):
            if self._token is None:
                self._token = self._login()
            try:
                return self._send(method, full, body, self._token)
            except urllib.error.HTTPError as err:
                if err.code == 401 and attempt == 1:
                    self._token = None  # expired: log in again
                    continue
                detail = err.read().decode(errors="replace")[:300]
                raise SchedulerError(f"{method} {path}: HTTP {err.code} {detail}") from None
            except (urllib.error.URLError, OSError) as err:
                raise SchedulerError(
                    f"Airflow's API at {self.base_url} does not answer ({err})"
                ) from None
        raise AssertionError("unreachable")

    # ---- calls -----------------------------------------------------------------------
    def dag(self, dag_id: str) -> dict | None:
        """The DAG as the API knows it, or None when it is not parsed (yet)."""
        try:
            return self.call("GET", f"/api/v2/dags/{dag_id}")
        except SchedulerError as err:
            if "HTTP 404" in str(err):
                return None
            raise

    def unpause(self, dag_id: str) -> None:
        self.call("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})

    def trigger(self, dag_id: str, note: str) -> dict:
        return self.call(
            "POST", f"/api/v2/dags/{dag_id}/dagRuns", {"logical_date": None, "note": note}
        )

    def runs_since(self, since: dt.datetime) -> list[dict]:
        """Every DAG run active at or after ``since`` (all DAGs): started or ended since then,
        running or still queued. A run created for an earlier interval (an ingest DAG's
        scheduled run on unpausing) counts, and so does one that started just before
        ``since`` but was still running (on a stack just started, the scheduler's first run
        of an ingest DAG begins while the files are being delivered and takes them); a run
        that ended before does not."""
        seen: dict[tuple[str, str], dict] = {}
        queries = (
            {"start_date_gte": since.isoformat()},
            {"end_date_gte": since.isoformat()},
            {"state": "running"},
            {"state": "queued"},
        )
        for query in queries:
            for run in self._paged("/api/v2/dags/~/dagRuns", query, "dag_runs"):
                seen.setdefault((run["dag_id"], run["dag_run_id"]), run)
        return list(seen.values())

    def _paged(self, path: str, query: dict, key: str) -> list[dict]:
        out: list[dict] = []
        while True:
            page = self.call("GET", path, order_by="id", limit=100, offset=len(out), **query)
            items = list(page.get(key, []))
            out += items
            if len(items) < 100:
                return out

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        path = f"/api/v2/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}/taskInstances"
        return list(self.call("GET", path, limit=1000).get("task_instances", []))

    def asset_events(self, dag_id: str, run_id: str) -> int:
        page = self.call(
            "GET", "/api/v2/assets/events", source_dag_id=dag_id, source_run_id=run_id, limit=1
        )
        return int(page.get("total_entries", 0))

    def queued_asset_events(self, dag_id: str) -> int:
        try:
            page = self.call("GET", f"/api/v2/dags/{dag_id}/assets/queuedEvents")
        except SchedulerError as err:
            if "HTTP 404" in str(err):  # none queued
                return 0
            raise
        return int(page.get("total_entries", len(page.get("queued_events", []))))


@dataclass
class ChainProgress:
    """What ``drive_chain`` has seen so far (for its caller's messages and its own loop)."""

    started: dict[str, dict] = field(default_factory=dict)  # run key -> run
    ended: dict[str, DagRunResult] = field(default_factory=dict)


def _seconds(run: dict) -> float:
    if run.get("duration") is not None:
        return float(run["duration"])
    start, end = run.get("start_date"), run.get("end_date")
    if start and end:
        return (dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)).total_seconds()
    return 0.0


def _name(ti: dict) -> str:
    """A task instance as the embedded runner names it (``task[map_index]`` when mapped)."""
    index = ti.get("map_index")
    return ti["task_id"] + (f"[{index}]" if index is not None and index >= 0 else "")


def result_of(api: AirflowAPI, run: dict) -> DagRunResult:
    """A finished run as the embedded runner reports it (failed and skipped tasks, events)."""
    tis = api.task_instances(run["dag_id"], run["dag_run_id"])
    failed = sorted(_name(t) for t in tis if t.get("state") in ("failed", "upstream_failed"))
    skipped = sorted(_name(t) for t in tis if t.get("state") == "skipped")
    return DagRunResult(
        dag_id=run["dag_id"],
        state=run["state"],
        seconds=_seconds(run),
        failed_tasks=failed,
        skipped_tasks=skipped,
        asset_events=api.asset_events(run["dag_id"], run["dag_run_id"]),
        started=_epoch(run.get("start_date")),
        ended=_epoch(run.get("end_date")),
    )


def _epoch(stamp: str | None) -> float | None:
    return dt.datetime.fromisoformat(stamp).timestamp() if stamp else None


def drive_chain(
    api: AirflowAPI,
    trigger: Iterable[str],
    chain: Iterable[str],
    *,
    progress: Callable[[dict], None] | None = None,
    timeout: float = 3600,
    poll: float = 5,
    settle: float = 15,
    parse_timeout: float = 300,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    since: dt.datetime | None = None,
) -> list[DagRunResult]:
    """Trigger the DAGs of ``trigger`` and wait until every run of ``chain`` they cause has
    ended (see the module docstring); returns the runs' results in the order they ended.

    ``since``: when the files were delivered (default: now). Every run of the chain started
    from then on belongs to it — on a stack just started, the scheduler's first run of an
    ingest DAG may take the files before the triggered one (which then finds nothing new).

    ``progress(event)`` is called as in ``runner.run_dags``: ``{"event": "start", "dag_id",
    "index", "total"}`` and ``{"event": "end", ... "state", "seconds", "skipped_tasks",
    "asset_events"}`` (``total``: the DAGs of the chain; Asset-triggered runs may be more).
    Raises ``SchedulerError`` when a DAG is not parsed within ``parse_timeout`` or the chain
    has not settled within ``timeout`` (naming the runs still going)."""
    trigger, chain = list(trigger), list(dict.fromkeys([*trigger, *chain]))
    wanted = set(chain)
    began = clock()
    # before unpausing: the runs the scheduler then creates (an ingest DAG's latest interval)
    # belong to the chain too
    since = (since or dt.datetime.now(dt.UTC)) - dt.timedelta(seconds=1)
    # every DAG of the chain parsed and unpaused before anything is triggered
    missing = set(chain)
    while missing:
        for dag_id in sorted(missing):
            dag = api.dag(dag_id)
            if dag is None:
                continue
            if dag.get("is_paused"):
                api.unpause(dag_id)
            missing.discard(dag_id)
        if missing:
            if clock() - began > parse_timeout:
                raise SchedulerError(
                    f"Airflow has not parsed {len(missing)} DAG(s) after {parse_timeout:.0f} s: "
                    f"{', '.join(sorted(missing)[:5])} (see the dag-processor's log)"
                )
            sleep(poll)
    for dag_id in trigger:
        api.trigger(dag_id, note="jutong demo: files delivered to landing")
    seen = ChainProgress()
    quiet_at: float | None = None
    began = clock()
    while True:
        runs = [r for r in api.runs_since(since) if r["dag_id"] in wanted]
        for run in runs:
            key = f"{run['dag_id']}/{run['dag_run_id']}"
            if key not in seen.started and run["state"] != "queued":
                seen.started[key] = run
                if progress:
                    progress(
                        {
                            "event": "start",
                            "dag_id": run["dag_id"],
                            "index": len(seen.started),
                            "total": len(chain),
                        }
                    )
            if key not in seen.ended and run["state"] in TERMINAL:
                seen.started.setdefault(key, run)
                result = result_of(api, run)
                seen.ended[key] = result
                if progress:
                    progress(
                        {
                            "event": "end",
                            "dag_id": result.dag_id,
                            "index": list(seen.started).index(key) + 1,
                            "total": len(chain),
                            "state": result.state,
                            "seconds": result.seconds,
                            "skipped_tasks": result.skipped_tasks,
                            "asset_events": result.asset_events,
                        }
                    )
        active = [r for r in runs if r["state"] in ACTIVE or r["state"] not in TERMINAL]
        triggered = {r["dag_id"] for r in runs}
        if not active and set(trigger) <= triggered:
            waiting = [d for d in chain if api.queued_asset_events(d)]
            if waiting:
                quiet_at = None
            elif quiet_at is None:
                quiet_at = clock()
            elif clock() - quiet_at >= settle:
                return list(seen.ended.values())
        else:
            quiet_at = None
        if clock() - began > timeout:
            going = ", ".join(f"{r['dag_id']} ({r['state']})" for r in active[:5]) or "none"
            raise SchedulerError(
                f"the chain has not settled after {timeout:.0f} s; runs still going: {going}"
            )
        sleep(poll)
