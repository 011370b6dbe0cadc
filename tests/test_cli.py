"""The ``jutong`` command tree: nouns first, the old verb-first commands as hidden aliases."""

from __future__ import annotations

import argparse
import json
import re
import sys
import types

import pytest

from jutong import cli
from jutong.cli import ALIASES, build_parser, has_command, main, resolve_alias

# Every command of the tree: noun -> its verbs (None: the noun is the command).
TREE = {
    "catalog": {"list", "show", "validate"},
    "raw": {"ingest", "status"},
    "lake": {"status", "repair", "rollback"},
    "backup": None,
    "restore": None,
    "staging": {"standardize", "status"},
    "base": {"build", "status", "show", "conflicts", "review", "evaluate"},
    "themes": {"sources", "build", "status", "policies"},
    "sql": None,
    "lineage": None,
    "quality": {"suites", "report"},
    "tickets": {"list", "resolve", "extend", "report-error"},
    "pii": {"scan", "mask", "evaluate"},
    "ids": {"check"},
    "release": {"build", "list", "show", "suspend", "withdraw", "restore"},
    "workdays": {"add", "between", "check"},
    "synth": None,
    "governance": {"upgrade", "downgrade", "status", "revision", "copy"},
    "audit": {"verify", "checkpoint", "export", "list"},
    "share": {
        "resources",
        "request",
        "review",
        "decide",
        "push",
        "supplement",
        "subscribe",
        "doubt",
        "fix",
        "feedback",
        "appeal",
        "coordinate",
        "suspend",
        "reinstate",
        "revoke",
        "withdraw",
        "list",
        "show",
        "deliver",
    },
    "cases": {"rules", "show", "overdue", "sweep"},
    "open": {
        "account",
        "request",
        "review",
        "answer",
        "approve",
        "supplement",
        "withdraw",
        "doubt",
        "fix",
        "close",
        "coordinate",
        "settle",
        "confirm",
        "revoke",
        "agreement",
        "agree",
        "deliver",
        "rate",
        "key",
        "complaint",
        "catalog",
        "notices",
        "list",
        "show",
    },
    "evaluate": {"departments"},
    "users": {
        "add",
        "list",
        "grant",
        "revoke",
        "password",
        "deactivate",
        "activate",
        "token",
        "tokens",
    },
    "stack": {"up", "down", "status"},
    "demo": None,
    "serve": None,
    "airflow": None,
}
OLD_VERBS = {"ingest", "standardize", "scan", "mask", "review", "er"}

# One invocation per alias, with arguments: old words + ARGS must parse exactly like the new
# words + ARGS.
ALIAS_ARGS = {
    ("ingest",): ["gongan.huji", "a.csv", "b.csv"],
    ("standardize",): ["gongan.huji", "--as-of", "2026-11-01"],
    ("review",): ["accept", "7", "--by", "张三", "--note", "same person"],
    ("er", "evaluate"): ["--truth", "/tmp/truth", "--json"],
    ("quality", "tickets"): ["--overdue", "--department", "gongan", "--json"],
    ("quality", "resolve"): ["T-000001", "--note", "重新导出", "--by", "李工"],
    ("quality", "extend"): ["T-000001", "--days", "3", "--approved-by", "王", "--reason", "r"],
    ("quality", "report-error"): ["gongan.huji", "--note", "x", "--row", "3"],
    ("scan",): ["in.csv", "--json", "--columns", "备注", "--sample", "10"],
    ("mask",): ["in.csv", "out.csv", "--policy", "open", "--free-text", "text"],
}


@pytest.fixture(scope="module")
def parser() -> argparse.ArgumentParser:
    return build_parser()


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_the_tree_is_noun_first(parser):
    nouns = _subcommands(parser)
    assert set(nouns) == set(TREE)
    for noun, verbs in TREE.items():
        assert set(_subcommands(nouns[noun])) == (verbs or set()), noun
    assert set(_subcommands(_subcommands(nouns["base"])["review"])) == {"list", "accept", "reject"}
    assert not OLD_VERBS & set(nouns)


def test_help_lists_the_nouns_and_hides_the_aliases(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    listed = [line.split()[0] for line in out.splitlines() if re.match(r"    \S", line)]
    assert listed == list(TREE)  # in the order of COMMAND_MODULES, then demo, serve, airflow
    assert not OLD_VERBS & set(listed)
    assert "usage: jutong [-h] [--version] [-v] COMMAND ..." in out


@pytest.mark.parametrize("noun", [n for n, v in TREE.items() if v])
def test_every_noun_has_help(noun, capsys):
    with pytest.raises(SystemExit) as exc:
        main([noun, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: jutong {noun} ")
    for verb in TREE[noun]:
        assert f"    {verb}" in out


def test_every_alias_is_covered_and_points_into_the_tree(parser):
    assert set(ALIAS_ARGS) == set(ALIASES)
    for old, new in ALIASES.items():
        assert has_command(parser, new), new
        assert not has_command(parser, old), old  # else the alias would never apply


@pytest.mark.parametrize("old", list(ALIASES), ids=lambda o: " ".join(o))
def test_an_alias_parses_exactly_like_the_new_command(parser, old):
    args = ALIAS_ARGS[old]
    rewritten, found = resolve_alias(parser, [*old, *args])
    assert found == old
    assert rewritten == [*ALIASES[old], *args]
    via_alias = parser.parse_args(rewritten)
    direct = parser.parse_args([*ALIASES[old], *args])
    assert via_alias.func is direct.func
    assert vars(via_alias) == vars(direct)


def test_options_before_the_command_stay_in_place(parser):
    assert resolve_alias(parser, ["-v", "ingest", "gongan.huji"]) == (
        ["-v", "raw", "ingest", "gongan.huji"],
        ("ingest",),
    )
    assert resolve_alias(parser, ["raw", "ingest", "x"]) == (["raw", "ingest", "x"], None)
    assert resolve_alias(parser, ["quality", "report"]) == (["quality", "report"], None)
    assert resolve_alias(parser, []) == ([], None)


def test_an_alias_steps_aside_for_a_real_command():
    p = argparse.ArgumentParser(prog="jutong")
    sub = p.add_subparsers(dest="command")
    lake = sub.add_parser("lake").add_subparsers(dest="lake_cmd")
    lake.add_parser("status")
    assert resolve_alias(p, ["lake", "status"]) == (["lake", "status"], None)
    assert resolve_alias(p, ["ingest", "x"]) == (["raw", "ingest", "x"], ("ingest",))


def test_an_old_command_runs_the_same_handler_with_one_note(settings, capsys):
    assert main(["tickets", "list", "--json"]) == 0
    new = capsys.readouterr()
    assert main(["quality", "tickets", "--json"]) == 0
    old = capsys.readouterr()
    assert old.out == new.out and json.loads(old.out) == []
    assert new.err == ""
    assert old.err == "note: 'jutong quality tickets' is now 'jutong tickets list'\n"


def test_an_old_command_error_is_the_new_commands_error(settings, capsys):
    assert main(["raw", "ingest", "nosuch.dataset"]) == 2
    new = capsys.readouterr().err
    assert main(["ingest", "nosuch.dataset"]) == 2
    old = capsys.readouterr().err.splitlines()
    assert old[0] == "note: 'jutong ingest' is now 'jutong raw ingest'"
    assert "\n".join(old[1:]) + "\n" == new
    assert new.startswith("jutong raw ingest: ") and "nosuch.dataset" in new


@pytest.mark.parametrize(
    "argv, wanted",
    [
        (["nosuch"], "argument COMMAND: invalid choice: 'nosuch'"),
        (["raw", "nosuch"], "argument COMMAND: invalid choice: 'nosuch'"),
        (["quality", "nosuch"], "invalid choice: 'nosuch' (choose from suites, report)"),
        (["raw"], "the following arguments are required: COMMAND"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_an_unknown_command_is_a_clean_usage_error(argv, wanted, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: jutong") and "Traceback" not in err
    assert wanted.replace("'", "") in err.replace("'", "")


def test_the_choices_of_an_unknown_command_name_no_alias(capsys):
    with pytest.raises(SystemExit):
        main(["nosuch"])
    choices = capsys.readouterr().err.split("choose from", 1)[1]
    assert not {w.strip(" ',()\n") for w in choices.split(",")} & OLD_VERBS


def test_a_command_module_adds_its_noun_with_one_line(monkeypatch, capsys):
    mod = types.ModuleType("jutong_test_noun_cli")

    def register(sub):
        p = sub.add_parser("noun", help="a noun added by one more COMMAND_MODULES line")
        vs = p.add_subparsers(dest="noun_cmd", required=True)
        vs.add_parser("verb").set_defaults(func=lambda args: print("verb ran") or 0)

    mod.register = register
    monkeypatch.setitem(sys.modules, mod.__name__, mod)
    monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, mod.__name__))
    assert main(["noun", "verb"]) == 0
    assert capsys.readouterr().out == "verb ran\n"


def _failing_command(monkeypatch, exc: Exception) -> None:
    mod = types.ModuleType("jutong_test_failing_cli")

    def fail(args):
        raise exc

    mod.register = lambda sub: sub.add_parser("failing").set_defaults(func=fail)
    monkeypatch.setitem(sys.modules, mod.__name__, mod)
    monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, mod.__name__))


def test_a_command_error_is_one_line_and_v_shows_the_traceback(monkeypatch, capsys):
    _failing_command(monkeypatch, FileNotFoundError(2, "No such file or directory", "x.csv"))
    assert main(["failing"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("jutong: FileNotFoundError: [Errno 2] No such file or directory")
    assert "run 'jutong -v ...' for the traceback" in err
    assert main(["-v", "failing"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert err.splitlines()[-1].startswith("jutong: FileNotFoundError:")


def test_a_lake_error_is_its_own_line(monkeypatch, capsys):
    from jutong.lake import LakeError

    _failing_command(monkeypatch, LakeError("raw.x: a commit conflict; run it again"))
    assert main(["failing"]) == 1
    assert capsys.readouterr().err == "jutong: raw.x: a commit conflict; run it again\n"
