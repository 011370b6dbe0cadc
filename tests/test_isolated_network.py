"""Jutong runs with no network: a delivery is ingested, standardized through Spark, the
Great Expectations gate and Iceberg, and reported, by the real command line in a network
namespace holding only loopback (``unshare --net``, when this machine allows it) with an audit
hook in every Python process refusing and recording any non-loopback connection or name lookup
(``tests/netguard/sitecustomize.py``); then every page written into the lake loads nothing from
outside and the Data Docs load the vendored copies."""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from jutong.synth import generate
from jutong.webassets import scan_html
from jutong.webassets.datadocs import CDN, VENDOR
from jutong.webassets.scan import is_external, page_assets

pytestmark = pytest.mark.spark
GUARD = Path(__file__).resolve().parent / "netguard"


def _unshare_works() -> bool:
    """A new network namespace can be made here (root, or user namespaces allowed)."""
    if not shutil.which("unshare") or not shutil.which("ip"):
        return False
    proc = subprocess.run(
        ["unshare", "--net", "ip", "link", "set", "lo", "up"], capture_output=True, timeout=20
    )
    return proc.returncode == 0


def _isolated(script: str, env: dict[str, str], log: Path) -> subprocess.CompletedProcess:
    env = {**env, "PYTHONPATH": str(GUARD), "NETGUARD_LOG": str(log)}
    prefix = "ip link set lo up\n"
    argv = ["unshare", "--net", "bash", "-ec", prefix + script]
    if not _unshare_works():
        argv = ["bash", "-ec", script]  # the audit hook alone (Python processes only)
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=900)


def test_the_guard_refuses_and_records_what_leaves(tmp_path):
    log = tmp_path / "net.log"
    code = (
        "import socket\n"
        "srv = socket.create_server(('127.0.0.1', 0)); socket.create_connection(srv.getsockname())\n"
        "for target in (('192.0.2.1', 80), ('example.org', 443)):\n"
        "    try:\n"
        "        socket.create_connection(target, timeout=1)\n"
        "    except OSError as exc:\n"
        "        print('refused', exc)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(GUARD), "NETGUARD_LOG": str(log)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    refused = out.stdout.splitlines()
    assert len(refused) == 2 and all("isolated network" in line for line in refused)
    lines = log.read_text(encoding="utf-8").splitlines()
    assert [line.split()[2] for line in lines] == ["'192.0.2.1'", "'example.org'"]
    assert socket.gethostname()  # this machine's own name is loopback to the guard


@pytest.mark.e2e  # ~95 s: in CI's `make test-e2e` stage, to keep `make test` under 8 minutes
def test_ingest_standardize_and_report_run_with_no_network(home, tmp_path):
    province = tmp_path / "province"
    generate(province, people=200, orgs=40, seed=5)
    (extract,) = sorted((province / "extracts" / "shenpi" / "xuke").iterdir())
    env = {
        **os.environ,
        "JUTONG_HOME": str(home),
        "JUTONG_KEY_DIR": str(home / "keys"),
        "JUTONG_SPARK_MASTER": "local[2]",
        "JUTONG_SPARK_SHUFFLE_PARTITIONS": "2",
        "JUTONG_SPARK_DRIVER_MEMORY": "1g",
        "JUTONG_INGEST_QUIET_SECONDS": "0",
    }
    log = tmp_path / "net.log"
    # one Python process runs the three commands (saves two start-ups of the command line);
    # from a file: under ``python -c`` pyspark takes itself for a doctest run and exits early
    steps = [
        ["raw", "ingest", "shenpi.xuke", str(extract)],
        ["staging", "standardize", "shenpi.xuke", "--as-of", "2026-11-21"],
        ["quality", "report"],
    ]
    driver = tmp_path / "run_steps.py"
    driver.write_text(
        "import sys\nfrom jutong.cli import main\n"
        f"for argv in {steps!r}:\n"
        "    if main(argv):\n        sys.exit(1)\n",
        encoding="utf-8",
    )
    proc = _isolated(f"{shlex.quote(sys.executable)} {shlex.quote(str(driver))}\n", env, log)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "gate passed" in proc.stdout
    assert not log.exists(), log.read_text(encoding="utf-8")

    lake = home / "lake"
    pages = sorted(lake.rglob("*.html"))
    docs = lake / "quality" / "data_docs"
    assert lake / "quality" / "scorecard.html" in pages and docs / "index.html" in pages
    assert scan_html(lake) == []
    assert "Noto Sans CJK SC" in (lake / "quality" / "scorecard.html").read_text("utf-8")
    for folder, rel in CDN.values():
        assert (docs / VENDOR / folder / rel).is_file()
    for page in pages:
        for url in page_assets(page.read_text(encoding="utf-8")):
            if not is_external(url) and not url.startswith(("data:", "#")):
                assert (page.parent / url).resolve().is_file(), f"{page}: {url}"


@pytest.mark.e2e
@pytest.mark.airflow
def test_the_demo_runs_with_no_network(home, tmp_path, repo_root):
    """The whole demo (embedded default: Airflow, Spark, GE, Iceberg, the base builds, the
    releases) in the same isolation; every page it writes into the lake loads nothing from
    outside."""
    if not (home / "plugins").exists():
        (home / "plugins").symlink_to(repo_root / "plugins")
    env = {
        **os.environ,
        "JUTONG_HOME": str(home),
        "JUTONG_KEY_DIR": str(home / "keys"),
        "JUTONG_SPARK_MASTER": "local[2]",
        "JUTONG_SPARK_SHUFFLE_PARTITIONS": "2",
    }
    log = tmp_path / "net.log"
    jutong = shlex.quote(str(Path(sys.executable).with_name("jutong")))
    script = f"cd {shlex.quote(str(home))}\n{jutong} demo --people 200 --orgs 40 --seed 5\n"
    proc = _isolated(script, env, log)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Data Docs (GE)" in proc.stdout and "BLOCKED" in proc.stdout
    assert not log.exists(), log.read_text(encoding="utf-8")
    lake = home / "lake"
    assert len(list((lake / "quality" / "data_docs" / "validations").rglob("*.html"))) >= 6
    assert (lake / "theme" / "dbt_docs" / "static_index.html").is_file()  # dbt docs too
    assert scan_html(lake) == []


def test_the_service_runs_with_no_network(home, tmp_path):
    """``jutong serve`` in the same isolation: the API, the console and the portal answer, and
    no page they serve loads anything from outside (Swagger UI, htmx and the styles are
    vendored)."""
    env = {**os.environ, "JUTONG_HOME": str(home), "JUTONG_KEY_DIR": str(home / "keys")}
    log = tmp_path / "net.log"
    pages = tmp_path / "pages"
    fetch = tmp_path / "fetch.py"
    fetch.write_text(
        "import pathlib, sys, time, urllib.request\n"
        "base, out = sys.argv[1], pathlib.Path(sys.argv[2])\n"
        "out.mkdir()\n"
        "for _ in range(300):\n"
        "    try:\n"
        "        urllib.request.urlopen(base + '/api/v1/health', timeout=1); break\n"
        "    except OSError:\n"
        "        time.sleep(0.1)\n"
        "for i, path in enumerate(sys.argv[3:]):\n"
        "    with urllib.request.urlopen(base + path, timeout=10) as r:\n"
        "        (out / f'{i}.html').write_bytes(r.read())\n",
        encoding="utf-8",
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    paths = ["/", "/catalog", "/notices", "/console/login", "/api/docs", "/catalog.jsonld"]
    jutong = shlex.quote(str(Path(sys.executable).with_name("jutong")))
    py = shlex.quote(sys.executable)
    script = (
        f"{jutong} serve --port {port} > {shlex.quote(str(tmp_path / 'serve.log'))} 2>&1 &\n"
        "trap 'kill $!' EXIT\n"
        f"{py} {shlex.quote(str(fetch))} http://127.0.0.1:{port} {shlex.quote(str(pages))} "
        + " ".join(paths)
        + "\n"
    )
    proc = _isolated(script, env, log)
    served = (tmp_path / "serve.log").read_text(encoding="utf-8", errors="replace")
    assert proc.returncode == 0, proc.stderr[-3000:] + served[-3000:]
    assert not log.exists(), log.read_text(encoding="utf-8")
    assert len(list(pages.iterdir())) == len(paths)
    assert scan_html(pages) == []
    assert "swagger-ui" in (pages / "4.html").read_text(encoding="utf-8")
