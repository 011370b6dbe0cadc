"""The stack of `make test-stack`: one ``jutong stack up`` in a fresh folder for the whole
stage (every module of tests/stack shares it), stopped at the end with no process left."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from jutong.stack.common import pid_alive

REPO = Path(__file__).resolve().parents[2]


def jutong(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    t0 = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "jutong", "stack", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )
    print(f"jutong stack {args[0]}: {time.monotonic() - t0:.1f} s\n{proc.stdout}{proc.stderr}")
    return proc


def read_env(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        if line.startswith("export "):
            key, value = line[len("export ") :].split("=", 1)
            out[key] = shlex.split(value)[0]
    return out


@pytest.fixture(scope="session")
def stack():
    # under /tmp, searchable by the 'postgres' user the server runs as when we are root
    root = Path(tempfile.mkdtemp(prefix="jutong-stack-"))
    root.chmod(0o755)
    # DAGs paused: this probes the services; the chain through the scheduler is
    # test_stack_chain.py's
    up = jutong(
        "up",
        "--dir",
        str(root),
        "--option",
        "spark_worker_memory=1g",
        "--option",
        "airflow_dags_paused=true",
    )
    try:
        assert up.returncode == 0, f"stack up failed:\n{up.stdout}\n{up.stderr}"
        yield root
    finally:
        pids = [
            p["pid"]
            for p in json.loads(jutong("status", "--json", "--dir", str(root)).stdout)["processes"]
            if p["pid"]
        ]
        down = jutong("down", "--dir", str(root))
        assert down.returncode == 0, down.stderr
        left = [pid for pid in pids if pid_alive(pid)]
        assert not left, f"processes left after down: {left}"
        if not os.environ.get("JUTONG_KEEP_STACK"):  # set it to look at the logs afterwards
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def client_env(stack, monkeypatch_module):
    env = read_env(stack / "env")
    for key, value in env.items():
        monkeypatch_module.setenv(key, value)
    return env


@pytest.fixture(scope="session")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()
