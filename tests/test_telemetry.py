"""No telemetry: the switches are in every environment the project generates (the command
line's own, Airflow's, the compose stack's) and the libraries really read them as "off"."""

import ast
import json
import os
import subprocess
import sys

import yaml

from jutong.telemetry import NO_TELEMETRY, disable_telemetry


def test_airflow_environment_carries_the_switches(settings):
    env = settings.airflow_env()
    assert {k: env[k] for k in NO_TELEMETRY} == NO_TELEMETRY


def test_the_command_line_sets_them_for_itself_and_its_children(settings):
    code = (
        "import os, sys\n"
        "from jutong.cli import main\n"
        "try:\n"
        "    main(['catalog', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print({k: os.environ.get(k) for k in ('GX_ANALYTICS_ENABLED', 'DO_NOT_TRACK',"
        " 'DBT_SEND_ANONYMOUS_USAGE_STATS')})\n"
    )
    env = {**os.environ, "DO_NOT_TRACK": "0", "GX_ANALYTICS_ENABLED": "True"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert ast.literal_eval(out.stdout.strip().splitlines()[-1]) == NO_TELEMETRY


def test_disable_overrides_a_value_already_set():
    env = {"DO_NOT_TRACK": "0", "PATH": "/bin"}
    disable_telemetry(env)
    assert env == {**NO_TELEMETRY, "PATH": "/bin"}


def test_dbt_reads_them_as_no_usage_statistics(tmp_path):
    """dbt's own flag parsing (``dbt.cli.flags``) under each switch alone (one process: dbt
    reads the environment at each parse)."""
    code = (
        "import json, os, sys\n"
        "from dbt.cli.flags import Flags, args_to_context\n"
        "seen = {}\n"
        "for switch, value in json.loads(sys.argv[1]):\n"
        "    for k in json.loads(sys.argv[2]):\n"
        "        os.environ.pop(k, None)\n"
        "    if switch:\n"
        "        os.environ[switch] = value\n"
        "    ctx = args_to_context(['parse', '--profiles-dir', '.'])\n"
        "    seen[str(switch)] = str(Flags(ctx).SEND_ANONYMOUS_USAGE_STATS)\n"
        "print(json.dumps(seen))\n"
    )
    cases = [(None, None)] + [
        (k, NO_TELEMETRY[k]) for k in ("DO_NOT_TRACK", "DBT_SEND_ANONYMOUS_USAGE_STATS")
    ]
    base = {k: v for k, v in os.environ.items() if k not in NO_TELEMETRY}
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(cases), json.dumps(list(NO_TELEMETRY))],
        env=base,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {
        "None": "True",
        "DO_NOT_TRACK": "False",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }


def test_the_compose_stack_carries_them(repo_root):
    compose = yaml.safe_load((repo_root / "docker" / "docker-compose.yml").read_text("utf-8"))
    ours = [s for s in compose["services"].values() if s.get("image", "").startswith("jutong:")]
    assert len(ours) >= 8  # Spark, every Airflow process, jutong serve
    for service in ours:
        env = service["environment"]
        assert {k: str(env[k]) for k in NO_TELEMETRY} == NO_TELEMETRY
