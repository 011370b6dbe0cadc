"""``jutong demo``: a synthetic province delivered, ingested through Airflow, summarised.

1. generate the province (``jutong synth``; reused when already generated with the same
   parameters — generation is deterministic, so the files are identical either way);
2. deliver every extract to the landing folder, plus one deliberately broken delivery
   (a re-sent enterprise extract whose export dropped the 住所 column) to show quarantine;
3. run every ``ingest__*`` DAG, then every ``standardize__*`` DAG, through Airflow;
4. print per dataset: files, batches, rows, quarantined; then the staging zone's rows, valid
   rows and, per identifier, the counts of valid, repaired and invalid values.

Running it twice delivers the same files again: they are recognised and add no batch.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import time
from pathlib import Path

from jutong.catalog import load_catalog
from jutong.ingest.cli import print_status
from jutong.ingest.status import dataset_status
from jutong.orchestration.runner import run_dags
from jutong.settings import Settings, get_settings
from jutong.staging_cli import print_staging
from jutong.staging_status import staging_status
from jutong.steps import steps_line
from jutong.textable import render

BROKEN_DATASET = "shichang.qiye"
BROKEN_DROPPED_COLUMN = "住所"
BAD_DATASET = "renshe.shebao"
BAD_RATES = {"id_bad_check": 0.10}  # 10 % wrong check digits: over the 2 % limit


def _say(msg: str) -> None:
    print(msg, flush=True)


def province_dir(settings: Settings, seed: int) -> Path:
    return settings.home / "demo" / f"province-seed{seed}"


def generate_province(settings: Settings, people: int, orgs: int, seed: int) -> Path:
    from jutong.synth import generate

    out = province_dir(settings, seed)
    meta = out / "synth.json"
    if meta.exists():
        params = json.loads(meta.read_text(encoding="utf-8")).get("parameters", {})
        if (
            params.get("people") == people
            and params.get("orgs") == orgs
            and params.get("seed") == seed
        ):
            _say(
                f"[1/4] province already generated in {out} (people={people:,}, orgs={orgs:,}, seed={seed})"
            )
            return out
    _say(
        f"[1/4] generating a synthetic province: people={people:,}, orgs={orgs:,}, seed={seed} -> {out}"
    )
    if out.exists():
        shutil.rmtree(out)
    t0 = time.perf_counter()
    generate(out, people=people, orgs=orgs, seed=seed, progress=lambda m: _say(f"      {m}"))
    _say(f"      done in {time.perf_counter() - t0:.1f} s")
    return out


def make_broken_copy(src: Path, dst: Path, drop_column: str) -> None:
    """A copy of a CSV extract without one column: the kind of export mistake ingestion refuses."""
    import csv

    with (
        open(src, encoding="utf-8", newline="") as fin,
        open(dst, "w", encoding="utf-8", newline="") as fout,
    ):
        reader = csv.reader(fin)
        writer = csv.writer(fout)
        header = next(reader)
        drop = header.index(drop_column)
        writer.writerow(h for i, h in enumerate(header) if i != drop)
        for row in reader:
            writer.writerow(v for i, v in enumerate(row) if i != drop)


def deliver(settings: Settings, province: Path, with_broken: bool = True) -> list[Path]:
    """Copy the province's extracts into landing/<department>/<dataset>/, as departments would."""
    delivered = []
    extracts = province / "extracts"
    for f in sorted(extracts.rglob("*")):
        if not f.is_file():
            continue
        rel = f.relative_to(extracts)
        target = settings.landing_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, target)
        delivered.append(target)
    if with_broken:
        dept, dataset = BROKEN_DATASET.split(".")
        srcs = sorted((extracts / dept / dataset).glob("*.csv"))
        if srcs:
            target = settings.landing_dir / dept / dataset / f"{srcs[0].stem}_resend.csv"
            make_broken_copy(srcs[0], target, BROKEN_DROPPED_COLUMN)
            delivered.append(target)
    return delivered


def deliver_bad_batch(
    settings: Settings, landing_dir: Path | None = None, *, people: int = 400
) -> Path:
    """Write a small extra ``renshe.shebao`` extract with 10 % resident IDs whose check digit
    is wrong into the landing folder (``landing/renshe/shebao/``), under a new file name; the
    quality gate must block its batch and open a correction ticket (GX-Reg art. 18)."""
    import tempfile

    from jutong.synth import generate
    from jutong.synth.rates import DirtRates

    landing = Path(landing_dir or settings.landing_dir)
    dept, dataset = BAD_DATASET.split(".")
    with tempfile.TemporaryDirectory() as tmp:
        generate(
            Path(tmp),
            people=people,
            orgs=max(20, people // 10),
            seed=4242,
            rates=DirtRates().with_overrides(**BAD_RATES),
            catalog_dir=settings.catalog_dir,
        )
        (src,) = sorted((Path(tmp) / "extracts" / dept / dataset).iterdir())
        target = landing / dept / dataset / f"{src.stem}_bad_ids{src.suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
    return target


def run_demo(people: int, orgs: int, seed: int, with_broken: bool = True) -> int:
    settings = get_settings()
    catalog = load_catalog(settings.catalog_dir)
    _say(f"Jutong demo — home {settings.home}, lake {settings.lake_root}")
    stack_dir = Path(os.environ.get("JUTONG_STACK_DIR") or settings.home / ".stack")
    if not settings.airflow_api_url and (stack_dir / "env").is_file():
        _say(
            f"      (embedded Airflow; a stack is set up in {stack_dir}: "
            "`JUTONG_PROFILE=stack make demo` runs the chain through its scheduler)"
        )
    province = generate_province(settings, people, orgs, seed)

    delivered_at = dt.datetime.now(dt.UTC)  # every run of the chain starts after this
    files = deliver(settings, province, with_broken)
    if with_broken:
        files.append(deliver_bad_batch(settings, settings.landing_dir))
    _say(
        f"[2/4] delivered {len(files)} file(s) to {settings.landing_dir}"
        + (
            f" (including one broken re-send of {BROKEN_DATASET} without column "
            f"'{BROKEN_DROPPED_COLUMN}' and one social-insurance batch with 10 % bad IDs)"
            if with_broken
            else ""
        )
    )

    from jutong.catalog.model import BASES, release_dag_id
    from jutong.catalog.releases import load_definitions
    from jutong.orchestration.theme_dags import DAG_ID as THEMES_DAG_ID

    # in the order the Assets would trigger them: the releases read base tables and theme
    # marts (the population release is built from theme.pop_registered_by_county_sex_age)
    dag_ids = (
        [e.dag_id for e in catalog]
        + [e.standardize_dag_id for e in catalog]
        + [b.dag_id for b in BASES]
        + [THEMES_DAG_ID]
        + [release_dag_id(rid) for rid in load_definitions(settings)]
    )
    log_file = settings.airflow_home / "logs" / "demo" / "demo.log"
    t0 = time.perf_counter()
    if settings.airflow_api_url:
        results = _run_on_scheduler(settings, [e.dag_id for e in catalog], dag_ids, delivered_at)
        log_file = settings.airflow_home / "logs"
    else:
        _say(
            f"[3/4] running {len(dag_ids)} DAG(s) through Airflow: ingest, standardize + quality "
            f"gate, base databases, theme databases, open releases (log: {log_file})"
        )
        results = run_dags(settings, dag_ids, log_file, clear_queue=True, progress=_dag_progress)
    unexpected = []
    quarantined_now = {s.dataset for s in dataset_status(settings, catalog) if s.quarantined}
    table = []
    for r in results:
        note = ""
        if r.state != "success":
            ds = next((e.id for e in catalog if e.dag_id == r.dag_id), "?")
            if (
                with_broken
                and ds == BROKEN_DATASET
                and ds in quarantined_now
                and all(t.startswith("ingest[") for t in r.failed_tasks)
            ):
                note = "(expected: the broken re-send was refused and quarantined)"
            else:
                unexpected.append(r)
                note = f"failed tasks: {', '.join(r.failed_tasks) or '-'} {'; '.join(r.errors)}"
        elif r.skipped_tasks and not r.asset_events:
            note = "(nothing new: skipped, no Asset event)"
        table.append((r.dag_id, r.state, f"{r.seconds:.1f} s", note))
    for line in render(["DAG", "state", "time", ""], table, right=(2,)).splitlines():
        _say(f"      {line}")
    wall = time.perf_counter() - t0
    _say(f"      {len(results)} DAG run(s) in {wall:.0f} s")
    _say(f"      by stage: {stage_line(results, wall)}")

    _say("[4/4] the lake now holds:\n")
    print_status(dataset_status(settings, catalog))
    _say("\nstaging (standardized, typed; identifiers per GB 11643-1999 and GB 32100-2015):\n")
    print_staging(staging_status(settings, catalog))
    _say("")
    _section(settings, "jutong.quality.demo")
    _say("base databases (GX-Reg art. 23; jutong base status):\n")
    from jutong.base.cli import base_status, status_lines

    for line in status_lines(base_status(settings)):
        _say(line)
    _say(
        f"\nentity resolution vs the ground truth: jutong base evaluate --truth {province / 'truth'}"
    )
    _say("clerical review queue: jutong base review list\n")
    _section(settings, "jutong.themes.demo")
    _section(settings, "masking.release")
    _section(settings, "jutong.governance.tickets")
    _section(settings, "jutong.governance.sharing.demo")
    _section(settings, "jutong.governance.opening.demo")
    from masking.delivery import DeliveryError, deliver_all

    try:
        for r in deliver_all(settings, actor="demo"):
            _say(f"Share delivery (gated, share masking): {r.summary()}")
    except DeliveryError as err:
        _say(f"Share delivery REFUSED: {err}")
        unexpected.append(err)
    from jutong.governance.evaluation import default_html_path, evaluate_departments, write_html

    page = write_html(
        evaluate_departments(settings, as_of=dt.date.today()),
        default_html_path(settings),
        as_of=dt.date.today(),
    )
    _say(f"Department evaluation (LZ-Rules art. 34): jutong evaluate departments; {page}")
    _say("")
    _section(settings, "jutong.governance.users.demo")
    _say(f"raw copies and manifests: {settings.raw_dir}")
    _say(f"quarantine:               {settings.quarantine_dir}")
    _say(f"Iceberg catalog:          {settings.iceberg_catalog_uri}")
    _say(f"ground truth (not ingested): {province / 'truth'}")
    _say("Airflow UI: make airflow   (then http://localhost:8080)")
    if unexpected:
        _say(f"\n{len(unexpected)} DAG run(s) failed unexpectedly; see {log_file}")
        return 1
    return 0


# the chain's stages, by DAG id (the theme DAG is a build of its own stage)
STAGES = (
    ("ingest__", "ingest"),
    ("standardize__", "standardize + gate"),
    ("build__themes", "theme databases"),
    ("build__", "base databases"),
    ("release__", "open releases"),
)


def stage_seconds(results) -> dict[str, float]:
    """Seconds of the DAG runs per stage of the chain (``STAGES``), in the chain's order: the
    wall time the stage's runs cover (runs of the scheduler overlap: counted once), or the sum
    of their times where a run's start and end are not known."""
    groups: dict[str, list] = {}
    for r in results:
        name = next((n for prefix, n in STAGES if r.dag_id.startswith(prefix)), "other DAGs")
        groups.setdefault(name, []).append(r)
    out = {}
    for name, runs in groups.items():
        spans = [(r.started, r.ended) for r in runs]
        if all(a is not None and b is not None for a, b in spans):
            out[name] = covered_seconds(spans)
        else:
            out[name] = sum(r.seconds for r in runs)
    order = ["ingest", "standardize + gate", "base databases", "theme databases"]
    order += ["open releases", "other DAGs"]
    return {k: round(out[k], 1) for k in order if out.get(k)}


def covered_seconds(spans) -> float:
    """The length of the union of the intervals ``spans`` ((start, end) pairs)."""
    total, reach = 0.0, None
    for start, end in sorted(spans):
        if reach is None or start > reach:
            total += end - start
            reach = end
        elif end > reach:
            total += end - reach
            reach = end
    return total


def stage_line(results, wall: float) -> str:
    """``ingest 14.3 s · standardize + gate 40.2 s · … · the rest (Airflow, waiting) 9.0 s``: the
    DAG runs' time per stage, and what the wall time adds (Airflow's start, the progress
    polling)."""
    stages = stage_seconds(results)
    rest = max(0.0, wall - sum(stages.values()))
    return steps_line({**stages, "the rest (Airflow, waiting)": rest})


def _run_on_scheduler(
    settings: Settings, ingest: list[str], chain: list[str], delivered_at: dt.datetime
) -> list:
    """The chain run by the scheduler at ``settings.airflow_api_url``: only the ingest DAGs
    are triggered (REST API); the rest follows from Asset events (issue 18 item 3)."""
    from jutong.orchestration.scheduler import AirflowAPI, drive_chain

    _say(
        f"[3/4] triggering {len(ingest)} ingest DAG(s) through Airflow's API at "
        f"{settings.airflow_api_url}; standardize, base and theme builds and releases follow "
        "from Asset events (the scheduler runs them)"
    )
    api = AirflowAPI.from_environment(settings.airflow_api_url)
    return drive_chain(api, ingest, chain, progress=_dag_progress, since=delivered_at)


def task_bar(done: int, tasks: int, width: int = 20) -> str:
    """``▕██████░░░░▏ 3/10 tasks``: how many of a run's tasks have ended."""
    filled = round(width * done / tasks) if tasks else width
    filled = max(0, min(width, filled))
    return f"▕{'█' * filled}{'░' * (width - filled)}▏ {done}/{tasks} tasks"


# the run being drawn on a terminal: its ended tasks, its tasks, the current step
_drawn: dict = {}


def _dag_progress(event: dict) -> None:
    """One line per DAG run as it starts and ends (a large province runs for many minutes);
    on a terminal, under its start line while it runs, a bar of the run's ended tasks and
    the step its job is in (a base build's keys, splink, golden records …)."""
    # on the scheduler a DAG may run more than once (one run per Asset event it waited for)
    index, total = event["index"], event["total"]
    where = f"[{index}/{total}]" if index <= total else f"[{index}]"
    tty = sys.stdout.isatty()
    kind = event["event"]
    if kind == "start":
        _drawn.clear()
        _drawn.update(done=0, tasks=event.get("tasks") or 0, label="")
        _say(f"      {where} {event['dag_id']} …")
        return
    if kind in ("task", "step"):
        if kind == "task":
            _drawn.update(done=event["done"], tasks=event["tasks"], label=event["task_id"])
        else:
            _drawn["label"] = f"{event['dag_id'].split('__')[0]}: {event['step']}"
        if tty and _drawn:  # rewritten in place; a log gets the start and end lines only
            bar = task_bar(_drawn["done"], _drawn["tasks"])
            print(f"\r\033[K      {where} {bar} ({_drawn['label']})", end="", flush=True)
        return
    _drawn.clear()
    note = ""
    if event.get("skipped_tasks") and not event.get("asset_events"):
        note = " (nothing new)"
    line = f"      {where} {event['dag_id']}: {event['state']} in {event['seconds']:.1f} s{note}"
    _say(("\r\033[K" if tty else "") + line)


def _section(settings: Settings, module: str) -> None:
    """Print a part's demo summary (its ``demo_summary(settings)`` lines)."""
    for line in __import__(module, fromlist=["demo_summary"]).demo_summary(settings):
        _say(line)
    _say("")


def main_from_args(args) -> int:
    from jutong.orchestration.scheduler import SchedulerError

    try:
        return run_demo(args.people, args.orgs, args.seed, not args.no_broken)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except SchedulerError as err:
        print(f"demo: {err}", file=sys.stderr)
        return 1
