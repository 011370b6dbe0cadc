"""The Spark session keeps a bounded record of finished work (spark_jobs.session)."""

from __future__ import annotations

from spark_jobs.session import STATUS_RETENTION


def test_the_session_bounds_what_it_keeps_of_finished_work(spark):
    conf = spark.sparkContext.getConf()
    for key, value in STATUS_RETENTION.items():
        assert conf.get(key) == value, key
    # the bound is real: far below Spark's defaults (1000 executions, 100,000 tasks)
    assert int(STATUS_RETENTION["spark.sql.ui.retainedExecutions"]) <= 100
    assert int(STATUS_RETENTION["spark.ui.retainedTasks"]) <= 10_000


def test_many_queries_leave_at_most_the_retained_executions(spark):
    for i in range(70):
        spark.range(10).selectExpr(f"id + {i} AS x").collect()
    store = spark.sparkContext._jsc.sc().statusStore()
    jobs = store.jobsList(None).size()
    assert jobs <= int(STATUS_RETENTION["spark.ui.retainedJobs"])
