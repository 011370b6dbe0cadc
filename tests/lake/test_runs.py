"""Run tokens: parsed back from the branch and file names that carry them; liveness."""

from __future__ import annotations

import subprocess
import sys

from jutong.lake.catalog import Lake
from jutong.lake.publish import new_branch_name
from jutong.lake.runs import RunToken, current_run, run_is_alive
from jutong.settings import load_settings


class _T:
    def location(self):
        return "file:///lake/warehouse/staging/t"


def test_token_round_trips_through_branch_file_and_folder_names(tmp_path):
    me = current_run()
    assert RunToken.parse(new_branch_name()) == me
    lake = Lake(load_settings({"JUTONG_HOME": str(tmp_path)}))
    assert RunToken.parse(lake.new_data_path(_T(), "_batch_id=b1")) == me
    folder = Lake.new_data_folder("file:///lake/t", "all")
    assert RunToken.parse(folder + "/part-00000.parquet") == me
    assert RunToken.parse("file:///lake/t/data/run-0a1b2c/part-0.parquet") is None


def test_liveness_of_this_process_a_dead_one_and_another_host():
    me = current_run()
    assert run_is_alive(me)
    p = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = RunToken(me.started, int(p.stdout), "abcdef12", me.host)
    assert not run_is_alive(dead)
    # a pid now used by a process younger than the run: the run is dead
    assert not run_is_alive(RunToken(me.started - 3600 * 24 * 365, me.pid, "abcdef12", me.host))
    other = RunToken(me.started, 1, "abcdef12", "another-host.example")
    assert run_is_alive(other, grace_s=3600)
    assert not run_is_alive(RunToken(me.started - 7200, 1, "abcdef12", "h2"), grace_s=3600)
