"""Commands that write a file never overwrite their input (``jutong pii mask IN OUT``,
``jutong ids check IN --out OUT``): refused in one line, exit 2, the input unchanged."""

from __future__ import annotations

import os

import pytest

from jutong.cli import main
from jutong.outputs import OverwriteError, refuse_overwrite

CSV = "身份证号,姓名\n450102199003071234,韦小宝\n"


@pytest.fixture()
def data(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_the_input_under_any_name_is_refused(data, tmp_path, monkeypatch):
    link = tmp_path / "link.csv"
    link.symlink_to(data)
    hard = tmp_path / "hard.csv"
    os.link(data, hard)
    monkeypatch.chdir(tmp_path)
    for out in (data, "in.csv", f"sub/../{data.name}", link, hard):
        if "sub" in str(out):
            (tmp_path / "sub").mkdir(exist_ok=True)
        with pytest.raises(OverwriteError, match="the input is never overwritten"):
            refuse_overwrite(data, out)
    refuse_overwrite(data, tmp_path / "out.csv")  # a new file is fine
    refuse_overwrite([data], "-")


@pytest.mark.parametrize(
    "argv",
    [
        ["pii", "mask", "{in}", "{in}", "--policy", "open"],
        ["mask", "{in}", "{in}", "--policy", "share"],
        ["ids", "check", "{in}", "--column", "身份证号", "--kind", "resident_id", "--out", "{in}"],
    ],
)
def test_a_command_refuses_to_write_over_its_input(settings, data, argv, capsys):
    argv = [a.replace("{in}", str(data)) for a in argv]
    assert main(argv) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("note:")]
    assert len(err) == 1 and "the input is never overwritten" in err[0]
    assert "Traceback" not in err[0]
    assert data.read_text(encoding="utf-8") == CSV
