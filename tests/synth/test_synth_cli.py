"""``jutong synth`` on the command line: options, refusals, progress and the final table."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from jutong.synth.cli import register


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jutong")
    register(p.add_subparsers(dest="command"))
    return p


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        ("nonsense=0.1", "unknown dirt rate 'nonsense'"),
        ("dup=1.5", "within [0, 1]"),
        ("dup=-0.1", "within [0, 1]"),
        ("dup=abc", "must be a number"),
        ("dup", "NAME=VALUE"),
    ],
)
def test_bad_rate_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rate: str, message: str
) -> None:
    with pytest.raises(SystemExit) as exc:
        parser().parse_args(["synth", "--out", str(tmp_path), "--rate", rate])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_bad_numbers_and_dates_are_refused(tmp_path: Path) -> None:
    for argv in (["--people", "0"], ["--orgs", "many"], ["--as-of", "2026-13-01"]):
        with pytest.raises(SystemExit) as exc:
            parser().parse_args(["synth", "--out", str(tmp_path), *argv])
        assert exc.value.code == 2


def test_run_prints_progress_and_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = parser().parse_args(
        [
            "synth",
            "--people",
            "400",
            "--orgs",
            "50",
            "--seed",
            "9",
            "--out",
            str(tmp_path),
            "--rate",
            "dup=0",
            "--rate",
            "date_format=0.5",
            "--as-of",
            "2025-06-30",
        ]
    )
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "chunk 1/1" in out
    for ds in (
        "gongan.huji",
        "minzheng.hunyin",
        "renshe.shebao",
        "shichang.qiye",
        "ziranziyuan.zongdi",
        "shenpi.xuke",
    ):
        assert ds in out
    assert (tmp_path / "extracts" / "gongan" / "huji" / "huji_20250630.csv").is_file()
    qiye_line = next(line for line in out.splitlines() if line.startswith("shichang.qiye "))
    assert qiye_line.split()[1] == "50"  # dup=0: exactly one row per organisation
    doc = json.loads((tmp_path / "synth.json").read_text(encoding="utf-8"))
    assert (
        doc["parameters"]["rates"]["date_format"] == 0.5
        and doc["parameters"]["rates"]["dup"] == 0.0
    )
    assert "dup" not in doc["dirt"]


def test_quiet_prints_only_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = parser().parse_args(
        ["synth", "--people", "200", "--orgs", "20", "--out", str(tmp_path), "--quiet"]
    )
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "chunk" not in out
    assert out.splitlines()[0].split() == ["dataset", "rows", "file"]
