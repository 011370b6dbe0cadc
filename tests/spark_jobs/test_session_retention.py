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


def test_past_the_bound_the_oldest_executions_are_dropped(spark):
    limit = int(STATUS_RETENTION["spark.sql.ui.retainedExecutions"])
    store = spark._jsparkSession.sharedState().statusStore()
    # enough queries to pass the bound whatever the shared session ran before
    for i in range(max(0, limit + 5 - store.executionsCount()) + 3):
        spark.range(1).selectExpr(f"id + {i} AS x").collect()
    assert store.executionsCount() <= limit
