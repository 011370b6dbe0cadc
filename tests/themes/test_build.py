"""Theme builds on a tiny lake with the real dbt-duckdb, DuckDB and pyiceberg: the marts'
numbers, publishing by write-audit-publish, a failing dbt test as a refused audit."""

from __future__ import annotations

import re

import pytest

from jutong.lake import Lake, Zone
from jutong.themes import sql
from jutong.themes.build import ThemeBuildError, build_themes
from jutong.webassets import scan_html
from tests.browser import chromium, dom_offline, needs_chromium
from tests.themes import tiny_lake

MARTS = {
    "ss_insurance_coverage",
    "ss_enrolments_employer_issues",
    "mkt_enterprises_by_county",
    "mkt_licences_expiring",
    "fam_registrations_by_year_age",
    "nr_parcels_by_county",
    "nr_parcels_holder_not_found",
    "pop_registered_by_county_sex_age",
}


def _rows(settings, query: str) -> list[tuple]:
    con = sql.connect(settings)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def test_every_mart_is_published_to_the_theme_zone(built):
    settings, res = built
    assert set(res.marts) == MARTS
    lake = Lake(settings)
    assert set(lake.tables(Zone.theme)) == MARTS
    for mart, n in res.marts.items():
        table = lake.table(Zone.theme, mart)
        assert table.current_snapshot().snapshot_id == res.snapshots[mart]
        assert table.scan().to_arrow().num_rows == n
        props = table.current_snapshot().summary.additional_properties
        assert props["jutong.as_of"] == tiny_lake.AS_OF.isoformat()
    # no WAP branch left behind
    for mart in MARTS:
        assert set(lake.table(Zone.theme, mart).metadata.refs) == {"main"}
    assert res.tests_passed >= 40  # data tests and unit tests all ran


def test_social_security_coverage_and_employer_issues(built):
    settings, _ = built
    coverage = _rows(
        settings,
        "SELECT county_code, age_band, sex_code, insurance_type, insured_persons, enrolments "
        "FROM theme.ss_insurance_coverage ORDER BY 1, 2, 4",
    )
    # P1 (36) twice in one scheme counts once; P3 is 66; the unplaced row and the exact
    # copy are left out
    assert coverage == [
        ("450102", "30-39", "1", "失业保险", 1, 2),
        ("450102", "60-69", "1", "工伤保险", 1, 1),
        ("450103", "30-39", "2", "职工基本医疗保险", 1, 1),
    ]
    issues = _rows(
        settings,
        "SELECT enrolment_id, person_id, employer_org_id, issue "
        "FROM theme.ss_enrolments_employer_issues ORDER BY 1",
    )
    assert issues == [
        ("b1|3", "P2", "E2", "employer_revoked"),
        ("b1|4", "P3", None, "employer_not_in_base"),
    ]


def test_population_mart_counts_what_the_population_release_reads(built):
    from tests.masking.test_release import population_mart

    settings, _ = built
    got = _rows(
        settings,
        "SELECT county_code, sex_code, age_band, residents, counted_on "
        "FROM theme.pop_registered_by_county_sex_age ORDER BY 1, 2, 3",
    )
    # P4 turns 26 on the build day itself: 25-29
    assert got == [
        ("450102", "1", "35-39", 1, tiny_lake.AS_OF),
        ("450102", "1", "65-69", 1, tiny_lake.AS_OF),
        ("450103", "2", "25-29", 1, tiny_lake.AS_OF),
        ("450103", "2", "30-34", 1, tiny_lake.AS_OF),
    ]
    # the release tests build their source with tests.masking.test_release.population_mart:
    # it agrees with dbt's mart
    mine = population_mart(tiny_lake.persons(), tiny_lake.AS_OF)
    assert sorted(
        zip(
            *(mine.column(c).to_pylist() for c in ("county_code", "sex_code", "age_band")),
            mine.column("residents").to_pylist(),
            strict=True,
        )
    ) == [row[:4] for row in got]


def test_market_marts(built):
    settings, _ = built
    assert _rows(
        settings,
        "SELECT county_code, org_type, registration_status, enterprises, "
        "registered_capital_10k_yuan::VARCHAR FROM theme.mkt_enterprises_by_county ORDER BY 1",
    ) == [
        ("450102", "有限责任公司", "存续", 1, "100.0000"),
        ("450103", "个人独资企业", "吊销", 1, "50.5000"),
    ]
    # L2 expires after the window, L3 has expired, L4 is revoked
    assert _rows(
        settings, "SELECT license_no, holder_org_id, days_left FROM theme.mkt_licences_expiring"
    ) == [("L1", "E1", 30)]


def test_marriage_mart_counts_each_party_at_its_age(built):
    settings, _ = built
    assert _rows(
        settings,
        "SELECT registration_year, registration_type, county_code, sex_code, age_band, parties "
        "FROM theme.fam_registrations_by_year_age ORDER BY 1, 3, 4",
    ) == [
        (2025, "结婚", "450102", "1", "30-39", 1),  # P1, 35
        (2025, "结婚", "450103", "2", "30-39", 1),  # P2, 32
        (2026, "离婚", "450102", "1", "60-69", 1),  # P3, 66
        (2026, "离婚", "450103", "2", "20-29", 1),  # P4, 25 (26 only on 1 November)
    ]


def test_natural_resources_marts(built):
    settings, _ = built
    assert _rows(
        settings,
        "SELECT county_code, holder_kind, land_use, parcels, area_m2::VARCHAR "
        "FROM theme.nr_parcels_by_county ORDER BY 1, 2",
    ) == [
        ("450102", "org", "工业用地", 1, "2000.0000"),
        ("450102", "person", "农村宅基地", 1, "100.5000"),
        ("450103", "person", "农村宅基地", 1, "50.0000"),
    ]
    assert _rows(settings, "SELECT parcel_code, reason FROM theme.nr_parcels_holder_not_found") == [
        ("X3", "no identifier; kept apart")
    ]


def test_dbt_docs_are_generated_into_the_lake(built):
    settings, res = built
    assert res.docs is not None and res.docs.exists()
    assert res.docs.parent == settings.lake_root / "theme" / "dbt_docs"
    assert "ss_insurance_coverage" in res.docs.read_text(encoding="utf-8")
    # no Snowplow tracker from a CDN, nor any other outside asset, anywhere in the lake's
    # theme zone (dbt's own target folder included): the pages work in an isolated network
    assert scan_html(settings.lake_root / "theme") == []
    assert "data:text/javascript," in res.docs.read_text(encoding="utf-8")


def test_a_failing_dbt_test_publishes_nothing(built):
    """A licence of an unknown holder kind inside the expiry window fails the mart's
    accepted_values test: the build is refused naming the test, and every published mart
    keeps its snapshot."""
    settings, _ = built
    lake = Lake(settings)
    before = {m: lake.table(Zone.theme, m).current_snapshot().snapshot_id for m in MARTS}
    bad = tiny_lake.licences(
        [
            {
                "license_no": "L9",
                "holder_kind": "alien",
                "status": "valid",
                "valid_until": tiny_lake.AS_OF,
            }
        ]
    )
    tiny_lake.write(lake, Zone.base, "e_license", bad)
    try:
        with pytest.raises(ThemeBuildError) as err:
            build_themes(settings, as_of=tiny_lake.AS_OF, docs=False)
        msg = str(err.value)
        assert "accepted_values" in msg and "mkt_licences_expiring" in msg
        assert "Nothing was published" in msg
        after = {m: lake.table(Zone.theme, m).current_snapshot().snapshot_id for m in MARTS}
        assert after == before
    finally:
        tiny_lake.write(lake, Zone.base, "e_license", tiny_lake.licences())


def test_a_missing_base_table_is_refused_before_dbt_runs(tmp_path):
    from tests.conftest import make_home, settings_for

    settings = settings_for(make_home(tmp_path / "home"))
    tiny_lake.build_lake(Lake(settings), skip=("legal_entity",))
    with pytest.raises(ThemeBuildError, match=r"base\.legal_entity does not exist"):
        build_themes(settings, docs=False)
    assert Lake(settings).tables(Zone.theme) == []


def test_a_missing_declared_column_is_named(tmp_path):
    from jutong.themes.sources import check_lake
    from tests.conftest import make_home, settings_for

    settings = settings_for(make_home(tmp_path / "home"))
    lake = Lake(settings)
    tiny_lake.build_lake(lake, skip=("spatial_parcel",))
    tiny_lake.write(
        lake, Zone.base, "spatial_parcel", tiny_lake.parcels().drop_columns(["land_use"])
    )
    assert check_lake(lake) == ["base.spatial_parcel lacks column(s) land_use"]


def test_a_second_build_at_the_same_time_is_refused(built):
    import fcntl

    settings, _ = built
    lock = settings.lake_root / "theme" / "_dbt" / "build.lock"
    with open(lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(ThemeBuildError, match="another theme build is running"):
            build_themes(settings, docs=False)


def test_the_build_command_names_what_is_missing(tmp_path, monkeypatch, capsys):
    from jutong.cli import main
    from jutong.settings import reset_settings_cache
    from tests.conftest import make_home

    home = make_home(tmp_path / "home")
    monkeypatch.setenv("JUTONG_HOME", str(home))
    monkeypatch.setenv("JUTONG_KEY_DIR", str(home / "keys"))
    reset_settings_cache()
    try:
        assert main(["themes", "build"]) == 1
    finally:
        reset_settings_cache()
    err = capsys.readouterr().err
    assert "cannot build the themes" in err and "base.population does not exist" in err


def test_mart_contracts_are_enforced_on_duckdb(built):
    import json

    settings, _ = built
    manifest = json.loads(
        (settings.lake_root / "theme" / "_dbt" / "target" / "manifest.json").read_text()
    )
    marts = {
        n["name"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["schema"] == "theme"
    }
    assert set(marts) == MARTS
    for name, node in marts.items():
        assert node["config"]["contract"]["enforced"] is True, name
        assert node["contract"]["enforced"] is True, name


@needs_chromium
def test_dbt_docs_render_their_models_in_a_browser_with_no_network(built):
    """The dbt docs page opened from the lake in headless Chromium with the network cut: its
    scripts run and the model tree lists the marts (not only the manifest embedded as JSON)."""
    assert chromium(), "CI_REQUIRE_BROWSER is set but no Chromium is installed"
    _, res = built
    dom = dom_offline(res.docs)
    # the navigation tree Angular builds from the manifest (absent from the page as written)
    nav = re.compile(r'menu-node"[^>]*data-nav-unique-id="model\.jutong_themes\.(\w+)"')
    assert nav.findall(res.docs.read_text(encoding="utf-8")) == []
    tree = set(nav.findall(dom))
    assert {"ss_insurance_coverage", "mkt_enterprises_by_county", "nr_parcels_by_county"} <= tree
    assert "highlight(getModelName" in dom or "ng-scope" in dom
