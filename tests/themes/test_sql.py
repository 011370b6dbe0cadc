"""``jutong sql`` and ``jutong.themes.sql.connect`` on a tiny lake (real DuckDB, pyiceberg)."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jutong.cli import main
from jutong.lake import Lake, Zone
from jutong.settings import reset_settings_cache
from jutong.themes import sql
from jutong.themes.lakeviews import snapshot_as_of
from tests.themes import tiny_lake

COVERAGE = pa.table(
    {
        "county_code": ["450102", "450103"],
        "insurance_type": ["失业保险", "失业保险"],
        "insured_persons": pa.array([3, 4], pa.int64()),
    }
)


@pytest.fixture(scope="module")
def lake(lake_settings):
    tiny_lake.write(Lake(lake_settings), Zone.theme, "ss_insurance_coverage", COVERAGE)
    return lake_settings


@pytest.fixture()
def env(lake, monkeypatch):
    monkeypatch.setenv("JUTONG_HOME", str(lake.home))
    monkeypatch.setenv("JUTONG_KEY_DIR", str(lake.home / "keys"))
    reset_settings_cache()
    yield lake
    reset_settings_cache()


def test_tables_are_named_by_zone(lake):
    con = sql.connect(lake)
    try:
        names = sql.tables(con)
        assert ("base", "population") in names
        assert ("theme", "ss_insurance_coverage") in names
        assert not any(z == "staging" for z, _ in names)  # base and theme zones only
        n = con.execute(
            "SELECT count(*) FROM base.population p JOIN base.population_links l "
            "ON l.entity_id = p.person_id WHERE l.role = 'employee'"
        ).fetchone()[0]
        assert n == 4
    finally:
        con.close()


@pytest.fixture(scope="module")
def session(lake):
    con = sql.connect(lake)
    yield con
    con.close()


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE base.x AS SELECT 1",
        "DROP VIEW base.population",
        "COPY (SELECT 1) TO 'out.csv'",
        "SELECT * FROM read_csv('/etc/passwd')",
        "ATTACH 'other.duckdb' AS o",
        "SET enable_external_access = true",
        "INSTALL httpfs",
    ],
)
def test_the_session_is_read_only(session, tmp_path, monkeypatch, statement):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(duckdb.Error):
        session.execute(statement)
    # the lake's tables are still there and whole; nothing was written
    assert session.execute("SELECT count(*) FROM base.population").fetchone()[0] == 4
    assert list(tmp_path.iterdir()) == []


def test_as_of_reads_the_snapshot_current_that_day(lake):
    lake_ = Lake(lake)
    table = lake_.table(Zone.base, "population")
    today = dt.datetime.now(dt.UTC).date()
    # the table was created today: before today it did not exist
    assert snapshot_as_of(table, today - dt.timedelta(days=2)) is None
    assert snapshot_as_of(table, today + dt.timedelta(days=1)).snapshot_id == (
        table.current_snapshot().snapshot_id
    )
    con = sql.connect(lake, as_of=today - dt.timedelta(days=2))
    try:
        assert sql.tables(con) == []
    finally:
        con.close()


def test_an_older_snapshot_is_read_as_it_was(lake):
    """A newer population (one person more) published after: ``as_of`` a day resolves to the
    newest snapshot by the end of that day — the same day here — while the snapshot a reader
    pinned keeps its rows (Iceberg keeps every published state)."""
    from jutong.themes.lakeviews import view_source

    lake_ = Lake(lake)
    src_before = view_source(lake_, Zone.base, "spatial_division")
    bigger = pa.concat_tables([tiny_lake.divisions(), tiny_lake.divisions().slice(0, 1)])
    tiny_lake.write(lake_, Zone.base, "spatial_division", bigger)
    try:
        src_now = view_source(lake_, Zone.base, "spatial_division")
        assert src_now.snapshot_id != src_before.snapshot_id
        assert src_before.dataset().to_table().num_rows == 3
        assert src_now.dataset().to_table().num_rows == 4
    finally:
        tiny_lake.write(lake_, Zone.base, "spatial_division", tiny_lake.divisions())


def test_cli_csv_json_and_limit(env, capsys):
    q = "SELECT county_code, insured_persons FROM theme.ss_insurance_coverage ORDER BY 1"
    assert main(["sql", "-c", q, "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        '"county_code","insured_persons"',
        '"450102",3',
        '"450103",4',
    ]
    assert main(["sql", "-c", q, "-f", "json", "--limit", "1"]) == 0
    out = capsys.readouterr()
    assert [json.loads(line) for line in out.out.splitlines()] == [
        {"county_code": "450102", "insured_persons": 3}
    ]
    assert "first 1 rows" in out.err
    assert main(["sql", "-c", q]) == 0
    table = capsys.readouterr().out
    assert "county_code" in table and "450103" in table


def test_cli_parquet_to_a_file(env, tmp_path, capsys):
    out = tmp_path / "persons.parquet"
    assert (
        main(
            [
                "sql",
                "-c",
                "SELECT person_id FROM base.population ORDER BY 1",
                "-f",
                "parquet",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    assert pq.read_table(out).column("person_id").to_pylist() == ["P1", "P2", "P3", "P4"]


def test_cli_errors_are_named(env, capsys):
    assert main(["sql", "-c", "SELECT * FROM base.nowhere"]) == 1
    assert "nowhere" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="not a date"):
        main(["sql", "--as-of", "2026-13-01", "-c", "SELECT 1"])


def test_interactive_session(env, monkeypatch, capsys):
    lines = iter(
        [".tables", "SELECT count(*) AS n", "FROM base.population;", "SELECT nope;", ".quit"]
    )
    monkeypatch.setattr("builtins.input", lambda prompt="": next(lines))
    assert main(["sql", "-f", "csv"]) == 0
    out = capsys.readouterr()
    assert "base.population" in out.out and "theme.ss_insurance_coverage" in out.out
    assert '"n"\n4' in out.out
    assert "error:" in out.err and "nope" in out.err


def test_a_base_and_its_links_are_read_at_one_unit(tmp_path):
    """A population published without its links (a build that crashed between the two
    publishes of its unit) is read at the last unit both have."""
    from jutong.themes.lakeviews import unit_snapshots, view_source, zone_sources
    from tests.conftest import make_home, settings_for

    lake_ = Lake(settings_for(make_home(tmp_path / "home")))
    unit = {"jutong.unit": "population@run1"}
    for name, make in (
        ("population", tiny_lake.persons),
        ("population_links", tiny_lake.person_links),
    ):
        lake_.ensure_table(Zone.base, name, make().schema).append(make(), snapshot_properties=unit)
    first = {
        n: lake_.table(Zone.base, n).current_snapshot().snapshot_id
        for n in ("population", "population_links")
    }
    more = pa.concat_tables([tiny_lake.persons(), tiny_lake.persons().slice(0, 1)])
    lake_.table(Zone.base, "population").append(
        more, snapshot_properties={"jutong.unit": "population@run2"}
    )
    pinned = unit_snapshots(lake_, Zone.base, ["population", "population_links", "e_license"])
    assert pinned == first
    src = view_source(lake_, Zone.base, "population", snapshot_id=pinned["population"])
    assert src.dataset().to_table().num_rows == 4  # not the 9 rows of the half-published unit
    # `jutong sql --as-of` today: the same unit, not each table's newest snapshot of the day
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    names = ["population", "population_links"]
    assert unit_snapshots(lake_, Zone.base, names, day=today) == first
    got = {s.name: s.snapshot_id for s in zone_sources(lake_, Zone.base, day=today)}
    assert got == first
    # the day before anything was published: nothing to read
    assert zone_sources(lake_, Zone.base, day=today - dt.timedelta(days=1)) == []
    assert unit_snapshots(lake_, Zone.base, names, day=today - dt.timedelta(days=1)) == {}
