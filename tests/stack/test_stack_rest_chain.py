"""The chain through the scheduler on the Iceberg REST catalog (issue 18 item 2: both
catalogs supported and tested). The stack's Airflow is switched to the REST profile
(``jutong stack up --option catalog=rest``), a second tiny province is delivered, and every
table the chain writes is then in SeaweedFS's REST catalog, its data files in the lake bucket
(``data_files_root``), readable by pyiceberg and Spark."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from jutong.catalog.model import BASES
from tests.stack.conftest import REPO, jutong, read_env

pytestmark = [pytest.mark.stack, pytest.mark.timeout(2700)]


@pytest.fixture(scope="module")
def rest_demo(stack):
    down = jutong("down", "--dir", str(stack), "airflow")
    assert down.returncode == 0, down.stderr
    up = jutong(
        "up",
        "--dir",
        str(stack),
        "--option",
        "catalog=rest",
        "--option",
        "spark_worker_memory=1g",
        "--option",
        "airflow_dags_paused=true",
    )
    assert up.returncode == 0, up.stderr
    env = {
        **os.environ,
        **read_env(stack / "env"),
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    assert env["JUTONG_SETTINGS"] == str(stack / "jutong-rest.toml")
    t0 = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "jutong", "demo", "--people", "300", "--orgs", "50", "--seed", "5"],
        capture_output=True,
        text=True,
        env=env,
        timeout=2400,
    )
    print(
        f"jutong demo on the REST catalog: {time.monotonic() - t0:.0f} s\n"
        f"{proc.stdout[-5000:]}{proc.stderr[-3000:]}"
    )
    return proc, env


def test_the_chain_runs_through_the_scheduler_on_the_rest_catalog(rest_demo):
    proc, _ = rest_demo
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "triggering 6 ingest DAG(s) through Airflow's API" in out
    for part in ("base databases", "DAG run(s) in", "theme databases"):
        assert part in out, part
    assert "failed unexpectedly" not in out


def test_every_table_is_in_the_rest_catalog_with_its_files_in_the_lake_bucket(rest_demo):
    _, env = rest_demo
    from jutong.lake import Lake
    from jutong.settings import load_settings

    settings = load_settings(env)
    assert settings.iceberg_catalog_type == "rest"
    lake = Lake(settings)
    for zone in ("raw", "staging", "base", "theme"):
        assert lake.tables(zone), f"no {zone} table in the REST catalog"
    names = lake.tables("base")
    for base in BASES:
        assert any(n.startswith(base.value) for n in names), (base.value, names)
    for name in names:
        table = lake.table("base", name)
        assert table.location().startswith("s3://warehouse/"), table.location()
        files = table.inspect.files().column("file_path").to_pylist()
        assert all(f.startswith(f"s3://lake/rest-data/base/{name}/") for f in files), files[:3]
    population = lake.table("base", "population")
    assert population.scan().to_arrow().num_rows > 0
    assert lake.table("staging", "gongan__huji").scan().to_arrow().num_rows > 0
