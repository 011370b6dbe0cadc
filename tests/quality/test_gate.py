"""The quality gate on real Spark, GE and Iceberg: each trap fails the gate, a clean batch
passes, a blocked batch leaves staging exactly as it was, published + quarantined = rows in."""

import csv
import datetime as dt
import shutil

import pytest

from jutong.catalog import load_catalog
from jutong.demo import deliver_bad_batch
from jutong.governance.cases.queries import get_case
from jutong.governance.tickets import get_ticket
from jutong.ingest import ingest_file
from jutong.lake import AuditError, Lake
from jutong.quality.demo import demo_summary
from jutong.quality.report import build_report, write_scorecard
from jutong.quality.spec import simple_suite
from jutong.quality.store import runs
from jutong.synth import generate
from jutong.webassets import scan_html
from spark_jobs.quality.evaluate import check_frame
from spark_jobs.standardize import pending_batches, run_standardize

pytestmark = pytest.mark.spark
AS_OF = dt.date(2026, 11, 21)
RID_OK = "11010519491231002X"


@pytest.fixture(scope="module")
def frame(spark):
    rows = [(RID_OK, "p1", "有效"), (RID_OK, "p2", "注销"), ("110105194912310021", "p3", "有效")]
    return spark.createDataFrame(rows, "resident_id string, person_id string, status string")


SUITE = [
    ("not_null", "person_id"),
    ("unique", "person_id"),
    ("in_set", "status", ["有效", "注销"]),
]


def test_base_gate_api_clean_and_failing(frame, settings):
    ok = check_frame(frame, simple_suite("base.t", SUITE), settings=settings, name="base.t")
    assert ok.passed and ok.evaluated == 3 and ok.failures == [] and ok.failed_rows == 0
    ok.raise_if_failed()
    bad = check_frame(
        frame,
        simple_suite("base.t", [*SUITE, ("valid_resident_id", "resident_id")]),
        settings=settings,
        name="base.t",
        data_docs=False,
    )
    assert not bad.passed and bad.evaluated == 4 and bad.failed_rows == 1
    assert any("valid_resident_id" in f and "'resident_id'" in f for f in bad.failures)
    with pytest.raises(AuditError, match="valid_resident_id"):
        bad.raise_if_failed()
    docs = settings.lake_root / "quality" / "data_docs"
    assert (docs / "index.html").exists()
    # the site works offline: only vendored assets, no GE how-to footer
    assert scan_html(settings.lake_root) == []
    assert (docs / "static/vendor/jquery-3.7.1/dist/jquery.min.js").is_file()
    index = (docs / "index.html").read_text(encoding="utf-8")
    assert "static/vendor/bootstrap-table-1.19.1/dist/bootstrap-table.min.js" in index
    assert 'id="ge-cta-footer"' not in index and "newsletter" not in index


def test_counts_taken_in_the_callers_pass_give_the_same_verdict(frame, settings):
    """A caller that counts the rows and the row flags in a pass of its own (the standardize
    job, with its batch counts) gets the verdict of the gate's own counts; counts that do not
    agree with GE's are still refused."""
    from spark_jobs.quality.flags import count_flags, row_failure_flags, row_keys

    suite = simple_suite("base.t", [*SUITE, ("valid_resident_id", "resident_id")])
    flagged = row_failure_flags(frame, suite)
    counted = (flagged.count(), count_flags(flagged, row_keys(suite)))
    assert counted[1][0] == 1
    own = check_frame(flagged, suite, settings=settings, name="base.t", data_docs=False)
    given = check_frame(
        flagged, suite, settings=settings, name="base.t", data_docs=False, counted=counted
    )
    assert (given.passed, given.failures, given.failed_rows) == (
        own.passed,
        own.failures,
        own.failed_rows,
    )
    wrong = (counted[0], (0, {k: 0 for k in counted[1][1]}))
    off = check_frame(
        flagged, suite, settings=settings, name="base.t", data_docs=False, counted=wrong
    )
    assert any("the row flags 0" in f for f in off.failures), off.failures


@pytest.mark.parametrize(
    "trap, match",
    [
        ("zero_rows", "no rows"),
        ("missing_column", "missing: status"),
        ("unknown", "unknown expectation type"),
        ("empty_suite", "no expectation"),
    ],
)
def test_each_trap_fails_the_gate(frame, settings, trap, match):
    suite = simple_suite("base.t", SUITE)
    df = frame
    if trap == "zero_rows":
        df = frame.limit(0)
    elif trap == "missing_column":
        df = frame.drop("status")
    elif trap == "unknown":
        suite["expectations"][0]["type"] = "expect_column_values_to_not_be_nul"
    elif trap == "empty_suite":
        suite["expectations"] = []
    r = check_frame(df, suite, settings=settings, name="base.t", data_docs=False)
    assert not r.passed and r.evaluated == 0
    assert any(match in f for f in r.failures), r.failures
    with pytest.raises(AuditError):
        r.raise_if_failed()


def test_base_publish_gate(spark, settings):
    """The gate a base build runs before publishing (``spark_jobs.base.run``): ids present,
    unique and valid, or the publish is refused."""
    from spark_jobs.base.run import _gate

    gate = _gate(settings, "population")
    schema = "person_id string, resident_id string, provisional_key string"
    gate(spark.createDataFrame([("p1", RID_OK, None)], schema), "base.population")
    twice = spark.createDataFrame([("p1", RID_OK, None), ("p2", RID_OK, None)], schema)
    with pytest.raises(AuditError, match="unique:resident_id"):
        gate(twice, "base.population")


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    out = tmp_path_factory.mktemp("province")
    generate(out, people=200, orgs=40, seed=5)
    return out


def _ingest(settings, entry, files, tmp_path):
    for f in files:
        dst = tmp_path / "in" / f.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, dst)
        ingest_file(settings, entry, dst)


def _count(lake, zone, entry):
    if not lake.table_exists(zone, entry.table_name):
        return 0
    return (
        lake.table(zone, entry.table_name)
        .scan(selected_fields=("_row_number",))
        .to_arrow()
        .num_rows
    )


def test_clean_batch_passes_bad_batch_is_blocked(spark, settings, province, tmp_path):
    catalog = load_catalog(settings.catalog_dir)
    entry = catalog.get("renshe.shebao")
    lake = Lake(settings)
    _ingest(settings, entry, sorted((province / "extracts/renshe/shebao").iterdir()), tmp_path)
    (clean,) = run_standardize(spark, settings, entry, AS_OF, lake=lake)
    assert clean.status == "passed" and clean.published + clean.quarantined == clean.rows
    table = lake.table("staging", entry.table_name)
    before = table.current_snapshot().snapshot_id
    rows_before = _count(lake, "staging", entry)

    bad_file = deliver_bad_batch(settings, tmp_path / "landing")
    _ingest(settings, entry, [bad_file], tmp_path)
    (blocked,) = run_standardize(spark, settings, entry, AS_OF, lake=lake)
    assert blocked.status == "blocked" and blocked.snapshot_id is None
    assert any("identifier:id_number" in f and "limit is 2.00%" in f for f in blocked.failures)
    # staging exactly as it was; the batch is not retried; the provider has a ticket
    assert lake.table("staging", entry.table_name).current_snapshot().snapshot_id == before
    assert _count(lake, "staging", entry) == rows_before
    assert pending_batches(lake, entry) == []
    assert run_standardize(spark, settings, entry, AS_OF, lake=lake) == []
    t = get_ticket(settings, blocked.ticket)
    assert t.department == "renshe" and t.kind == "blocked_batch"
    assert t.source_ref == f"gate:renshe.shebao:{blocked.batch_id}"
    # the ticket is a case of the case engine (flow ticket, GX-Reg art. 18), owed by renshe
    case = get_case(settings, t.id)
    assert (case.kind, case.state, case.provider) == ("ticket", "open", "renshe")

    recorded = {r.batch_id: r for r in runs(settings)}
    assert recorded[clean.batch_id].status == "passed"
    assert recorded[blocked.batch_id].status == "blocked"
    assert recorded[blocked.batch_id].scores["usability"] == 0.0
    report = build_report(settings)
    (dept,) = report["departments"]
    assert dept["department"] == "renshe" and dept["blocked"] == 1
    assert len(dept["trend"]["accuracy"]) == 2 and dept["trend"]["usability"][1] == 0.0
    assert set(report["dimensions"]) == {
        "conformity",
        "completeness",
        "accuracy",
        "consistency",
        "timeliness",
        "usability",
    }
    html = write_scorecard(settings, report).read_text(encoding="utf-8")
    assert "<svg" in html and "准确性" in html and "blocked" in html
    summary = "\n".join(demo_summary(settings))
    assert "BLOCKED" in summary and "passed" in summary and "scorecard" in summary


def test_failing_rows_are_quarantined_published_plus_quarantined_is_rows_in(
    spark, settings, province, tmp_path
):
    # a tiny batch (28 rows): 3 failing rows are over the default 5 %; the catalog's threshold
    # for this home allows 20 %
    yml = settings.catalog_dir / "shenpi" / "xuke.yaml"
    text = yml.read_text(encoding="utf-8")
    assert "quality:\n  unique_key: [license_no]\n" in text
    yml.write_text(text + "  max_failed_row_rate: 0.2\n", encoding="utf-8")
    catalog = load_catalog(settings.catalog_dir)
    entry = catalog.get("shenpi.xuke")
    assert entry.quality.max_failed_row_rate == 0.2
    lake = Lake(settings)
    (src,) = sorted((province / "extracts/shenpi/xuke").iterdir())
    with open(src, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    head, body = rows[0], rows[1:]
    status, key = head.index("状态"), head.index("证照编号")
    body[0][status] = "作废"  # not in the value set
    body[1][key] = body[2][key]  # two different rows share a licence number
    body[2][head.index("发证机关")] += "（补）"
    dst = tmp_path / "xuke_edited.csv"
    with open(dst, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([head, *body])
    _ingest(settings, entry, [dst], tmp_path)
    (res,) = run_standardize(spark, settings, entry, AS_OF, lake=lake)
    assert res.status == "passed", res.failures
    assert res.quarantined == 3 and res.published + res.quarantined == res.rows == len(body)
    assert _count(lake, "staging", entry) == res.published
    q = lake.table("quarantine", entry.table_name).scan().to_arrow().to_pylist()
    failed = {r["_row_number"]: r["_failed_expectations"] for r in q}
    assert sorted(failed.values()) == [
        ["in_set:status"],
        ["unique:license_no"],
        ["unique:license_no"],
    ]
    assert all(r["_gated_at"] is not None and r["_batch_id"] == res.batch_id for r in q)
    props = lake.table("staging", entry.table_name).current_snapshot().summary.additional_properties
    assert props["jutong.quarantined_rows"] == "3"
    assert int(props["jutong.published_rows"]) + 3 == int(props["jutong.rows"])


def _validation_pages(docs):
    return sorted(p.relative_to(docs).as_posix() for p in (docs / "validations").rglob("*.html"))


def test_data_docs_keep_every_run_of_every_process(frame, settings, monkeypatch):
    """GE's index builder deleted each page whose result its own (in-memory) store lacked: a
    new process's first gate erased every earlier run's page, and two gates at once erased
    each other's page mid-write (CI: FileNotFoundError). The results are kept in the lake and
    no page is ever deleted; each index lists the runs of all processes."""
    from spark_jobs.quality import context as ge_context

    suite = simple_suite("docs.a", SUITE)
    check_frame(frame, suite, settings=settings, name="docs.a")
    check_frame(frame, simple_suite("docs.b", SUITE), settings=settings, name="docs.b")
    docs = settings.lake_root / "quality" / "data_docs"
    before = _validation_pages(docs)
    assert any("docs/a/" in p for p in before) and any("docs/b/" in p for p in before)

    monkeypatch.setattr(ge_context, "_CONTEXTS", {})  # the next gate: a new process's context
    check_frame(frame, simple_suite("docs.c", SUITE), settings=settings, name="docs.c")
    after = _validation_pages(docs)
    assert set(before) < set(after) and any("docs/c/" in p for p in after)
    index = (docs / "index.html").read_text(encoding="utf-8")
    for p in after:
        assert p in index, p  # the new process's index links the earlier runs too
    results = settings.lake_root / "quality" / "validation_results"
    assert len(list(results.rglob("*.json"))) >= len(after)


def test_the_gate_leaves_nothing_cached(spark, settings, tmp_path):
    """GE's Spark data source persists every batch it validates and never releases it: a
    long-lived session (an Airflow worker building base after base) would keep each gated
    frame in memory. The gate caches nothing of its own; a caller's cache stays the caller's."""
    path = str(tmp_path / "rows.parquet")
    spark.createDataFrame(
        [(RID_OK, "p1", "有效"), ("110105194912310021", "p2", "注销")],
        "resident_id string, person_id string, status string",
    ).write.parquet(path)
    df = spark.read.parquet(path)
    check_frame(
        df, simple_suite("base.t", SUITE), settings=settings, name="base.t", data_docs=False
    )
    assert not df.is_cached
    assert spark.read.parquet(path).storageLevel.useMemory is False
    mine = spark.read.parquet(path).cache()
    check_frame(
        mine, simple_suite("base.t", SUITE), settings=settings, name="base.t", data_docs=False
    )
    assert mine.is_cached
    mine.unpersist()
