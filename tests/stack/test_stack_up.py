"""The whole stack on this machine (`make test-stack`, marker ``stack``): ``jutong stack up``
in a fresh folder, status, an idempotent second ``up``, pyiceberg round trips through the SQL
catalog on PostgreSQL and the REST catalog of SeaweedFS (s3:// warehouses), a count on the Spark
standalone cluster whose executors import the project's code, Airflow's API, then ``down`` and
no process left."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pyarrow as pa
import pytest

from jutong.settings import load_settings
from jutong.stack.common import pid_alive
from tests.stack.conftest import jutong

pytestmark = [pytest.mark.stack, pytest.mark.timeout(1200)]

REPO = Path(__file__).resolve().parents[2]


def status(root: Path) -> dict:
    proc = jutong("status", "--json", "--dir", str(root), timeout=120)
    data = json.loads(proc.stdout)
    data["returncode"] = proc.returncode
    return data


def test_status_every_process_healthy(stack):
    data = status(stack)
    assert data["returncode"] == 0
    procs = {(p["service"], p["process"]): p for p in data["processes"]}
    assert set(procs) == {
        ("postgres", "postgres"),
        ("redis", "redis-server"),
        ("seaweedfs", "weed mini"),
        ("spark", "master"),
        ("spark", "worker"),
        ("airflow", "api-server"),
        ("airflow", "scheduler"),
        ("airflow", "dag-processor"),
        ("airflow", "triggerer"),
        ("airflow", "celery-worker"),
    }
    for p in procs.values():
        assert p["healthy"] and pid_alive(p["pid"]), p
        assert Path(p["log"]).parent.is_dir()
    assert data["ports"]["postgres"] == procs[("postgres", "postgres")]["port"]


def test_second_up_reuses_every_service(stack):
    before = {(p["service"], p["process"]): p["pid"] for p in status(stack)["processes"]}
    again = jutong("up", "--dir", str(stack), timeout=300)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("already running, reused") == 5
    after = {(p["service"], p["process"]): p["pid"] for p in status(stack)["processes"]}
    assert after == before


@pytest.mark.parametrize("settings_name", ["jutong.toml", "jutong-rest.toml"])
def test_pyiceberg_round_trip(stack, client_env, settings_name):
    from jutong.lake.catalog import Lake

    settings = load_settings({**client_env, "JUTONG_SETTINGS": str(stack / settings_name)})
    catalog = Lake(settings).catalog
    catalog.create_namespace_if_not_exists("probe")
    name = f"probe.{settings.iceberg_catalog_type}_round_trip"
    schema = pa.schema([("id", pa.int64()), ("name", pa.string())])
    table = catalog.create_table(name, schema=schema)
    table.append(pa.table({"id": [1, 2, 3], "name": ["甲", "乙", "丙"]}, schema=schema))
    back = catalog.load_table(name).scan().to_arrow().sort_by("id")
    assert back.column("name").to_pylist() == ["甲", "乙", "丙"]
    assert table.location().startswith("s3://")
    # the files are really in the object store
    files = catalog.load_table(name).inspect.files()
    assert files.num_rows == 1 and files.column("file_path")[0].as_py().startswith("s3://")
    # the lake's own file access (repair, Spark's files, backups) reaches the same store —
    # not AWS, which pyarrow's from_uri would ask for an s3:// path
    first = files.column("file_path")[0].as_py()
    fs, path = Lake(settings).filesystem(first)
    assert fs.get_file_info(path).size > 0
    if settings_name == "jutong.toml":
        # the lake bucket of the default (SQL catalog) profile takes the lake's own writes; a
        # SeaweedFS table bucket (REST) refuses writes that do not come through the catalog
        probe = table.location() + "/probe.txt"
        fs, path = Lake(settings).filesystem(probe)
        with fs.open_output_stream(path) as out:
            out.write("可溯".encode())
        with fs.open_input_stream(path) as src:
            assert src.read().decode() == "可溯"


SPARK_PROBE = """
import json, sys
from jutong.settings import get_settings
from spark_jobs.session import get_spark
spark = get_spark(get_settings(), "stack-probe", **{"spark.driver.memory": "512m",
                  "spark.executor.memory": "512m"})
count = spark.range(0, 100_000, numPartitions=4).count()
def where(_):
    import jutong
    yield jutong.__file__
files = spark.sparkContext.parallelize(range(2), 2).mapPartitions(where).collect()
print(json.dumps({"master": spark.sparkContext.master, "count": count, "files": files}))
spark.stop()
"""


def test_spark_count_on_the_standalone_cluster(stack, client_env):
    env = {
        **os.environ,
        **client_env,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    t0 = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", SPARK_PROBE],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=stack,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"Spark probe on the cluster: {time.monotonic() - t0:.1f} s")
    ports = json.loads((stack / "ports.json").read_text())
    assert result["master"] == f"spark://127.0.0.1:{ports['spark_master']}"
    assert result["count"] == 100_000
    # executors (on the worker, not the driver) imported the checkout's code
    assert result["files"] == [str(REPO / "jutong" / "__init__.py")] * 2
    apps = list((stack / "spark" / "work").glob("app-*"))
    assert apps, "no application ran on the worker"


S3A_PROBE = """
import json
import pyarrow as pa
from jutong.lake.catalog import Lake
from jutong.settings import get_settings
from spark_jobs.session import get_spark
import uuid
settings = get_settings()
run = uuid.uuid4().hex[:8]
path = f"s3a://lake/probe/spark_s3a_{run}"
spark = get_spark(settings, "stack-s3a-probe", **{"spark.driver.memory": "512m",
                  "spark.executor.memory": "512m"})
spark.range(0, 1000, numPartitions=2).selectExpr("id", "id * 2 AS twice") \\
    .write.parquet(path)
back = spark.read.parquet(path).selectExpr("sum(twice)").first()[0]
# the lake's path: Spark writes the files, pyiceberg registers them in place, both read them
files = [r.path for r in spark.sql(f"SELECT input_file_name() AS path FROM parquet.`{path}`").distinct().collect()]
catalog = Lake(settings).catalog
catalog.create_namespace_if_not_exists("probe")
schema = pa.schema([("id", pa.int64()), ("twice", pa.int64())])
table = catalog.create_table(f"probe.spark_files_{run}", schema=schema)
table.add_files([f.replace("s3a://", "s3://") for f in files])
rows = catalog.load_table(f"probe.spark_files_{run}").scan().to_arrow().num_rows
located = [f.replace("s3://", "s3a://") for f in catalog.load_table(f"probe.spark_files_{run}").inspect.files().column("file_path").to_pylist()]
again = spark.read.parquet(*located).count()
print(json.dumps({"sum": back, "files": len(files), "iceberg_rows": rows, "spark_again": again}))
spark.stop()
"""


def test_spark_on_s3a_and_pyiceberg_registers_its_files(stack, client_env):
    settings = tomllib.loads((stack / "jutong.toml").read_text())["jutong"]
    assert settings.get("spark_jars"), (
        "no s3a jars in the stack profile: run 'make stack-jars' (make test-stack does)"
    )
    env = {
        **os.environ,
        **client_env,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    t0 = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", S3A_PROBE],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=stack,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"Spark s3a probe on the cluster: {time.monotonic() - t0:.1f} s")
    assert result["sum"] == 999 * 1000  # sum(2 * id) for id < 1000
    assert result["files"] >= 1
    assert result["iceberg_rows"] == 1000 and result["spark_again"] == 1000


REST_WRITE_PROBE = """
import json, uuid
import pyarrow as pa
import pyarrow.parquet as pq
from jutong.lake.catalog import Lake
from jutong.settings import get_settings
from spark_jobs.lake import read_table, write_table
from spark_jobs.session import get_spark
settings = get_settings()
lake = Lake(settings)
name = f"rest_probe_{uuid.uuid4().hex[:8]}"
spark = get_spark(settings, "stack-rest-probe", **{"spark.driver.memory": "512m",
                  "spark.executor.memory": "512m"})
# Spark's write (a base build's path): files in the lake bucket, the table in the REST catalog
df = spark.range(0, 500, numPartitions=2).selectExpr("id", "CAST(id % 7 AS STRING) AS k")
write_table(lake, "base", name, df, replace=True, properties={"jutong.as_of": "probe"})
table = lake.table("base", name)
files = table.inspect.files().column("file_path").to_pylist()
spark_rows = read_table(spark, lake, "base", name).count()
# a pyarrow write (ingestion's path) into the same table's data folder, published
uri = lake.new_data_path(table, "extra")
fs, path = lake.filesystem(uri)
fs.create_dir(path.rsplit("/", 1)[0], recursive=True)
with fs.open_output_stream(path) as out:
    pq.write_table(pa.table({"id": pa.array([1000], pa.int64()), "k": ["x"]}), out)
lake.publish_files(table, [uri], properties={"jutong.as_of": "probe2"}, audit=lambda t, s: None)
print(json.dumps({"location": table.location(), "files": files + [uri],
                  "spark_rows": spark_rows,
                  "iceberg_rows": lake.table("base", name).scan().to_arrow().num_rows}))
spark.stop()
"""


def test_lake_writes_under_the_rest_catalog_go_to_the_lake_bucket(stack, client_env):
    """SeaweedFS's table bucket answers 403 to Spark's folder markers and ``_SUCCESS`` files:
    the REST profile's ``data_files_root`` puts the lake's data files in the lake bucket, and
    the tables (in the REST catalog, located in the table bucket) register them in place."""
    rest = tomllib.loads((stack / "jutong-rest.toml").read_text())["jutong"]
    assert rest["data_files_root"] == "s3://lake/rest-data"
    env = {
        **os.environ,
        **client_env,
        "JUTONG_SETTINGS": str(stack / "jutong-rest.toml"),
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    t0 = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", REST_WRITE_PROBE],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=stack,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"Spark and pyarrow writes under the REST catalog: {time.monotonic() - t0:.1f} s")
    assert result["location"].startswith("s3://warehouse/")
    assert result["files"] and all(
        f.startswith("s3://lake/rest-data/base/") for f in result["files"]
    )
    assert result["spark_rows"] == 500
    assert result["iceberg_rows"] == 501


def test_airflow_api_health_and_version(stack):
    ports = json.loads((stack / "ports.json").read_text())
    base = f"http://127.0.0.1:{ports['airflow_api']}"
    health = json.load(urllib.request.urlopen(f"{base}/api/v2/monitor/health", timeout=30))
    assert health["metadatabase"]["status"] == "healthy"
    assert health["scheduler"]["status"] == "healthy"
    password = (stack / "secrets" / "airflow-admin").read_text().strip()
    req = urllib.request.Request(
        f"{base}/auth/token",
        data=json.dumps({"username": "admin", "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    token = json.load(urllib.request.urlopen(req, timeout=30))["access_token"]
    req = urllib.request.Request(
        f"{base}/api/v2/version", headers={"Authorization": f"Bearer {token}"}
    )
    import importlib.metadata

    assert json.load(urllib.request.urlopen(req, timeout=30))[
        "version"
    ] == importlib.metadata.version("apache-airflow")
