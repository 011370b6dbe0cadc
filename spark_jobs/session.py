"""The one place a Spark session is built, from settings."""

from __future__ import annotations

import os
import sys

from jutong.settings import Settings

# Hadoop's S3A reads these as plain numbers only in the hadoop-aws 3.3 jars used on the stack
# (Hadoop 3.5's defaults carry units, "30s", which 3.3 cannot parse); see docs/stack.md.
S3A_DURATIONS = {
    "connection.establish.timeout": "30000",
    "connection.timeout": "200000",
    "connection.ttl": "300000",
    "threads.keepalivetime": "60",
    "multipart.purge.age": "86400",
}


def object_store_conf(settings: Settings, environ: dict[str, str] | None = None) -> dict[str, str]:
    """Spark options for ``settings.spark_jars`` and, when ``s3_endpoint`` is set, S3A on that
    endpoint (path-style; ``s3://`` paths of the Iceberg catalog read through S3A too). The keys
    come from ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` of the environment, never from
    the settings."""
    env = os.environ if environ is None else environ
    conf: dict[str, str] = {}
    if settings.spark_jars:
        # jars at the same paths on every node (the stack's worker is local): on the class
        # path of driver and executors, nothing shipped (the AWS SDK bundle is 190 MB)
        classpath = ":".join(j.strip() for j in settings.spark_jars.split(",") if j.strip())
        conf["spark.driver.extraClassPath"] = classpath
        conf["spark.executor.extraClassPath"] = classpath
    if not settings.s3_endpoint:
        return conf
    h = "spark.hadoop.fs.s3a."
    conf.update(
        {
            "spark.hadoop.fs.s3.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem",
            h + "endpoint": settings.s3_endpoint,
            h + "endpoint.region": settings.s3_region or "us-east-1",
            h + "path.style.access": "true",
            h + "connection.ssl.enabled": str(settings.s3_endpoint.startswith("https")).lower(),
            h + "aws.credentials.provider": "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
            **{h + k: v for k, v in S3A_DURATIONS.items()},
        }
    )
    if env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        conf[h + "access.key"] = env["AWS_ACCESS_KEY_ID"]
        conf[h + "secret.key"] = env["AWS_SECRET_ACCESS_KEY"]
    return conf


# What the driver keeps about finished work (the UI is off, but its status store still records
# every SQL execution, job, stage and task): a long-lived session — the test suite's, a worker
# building several bases — otherwise grows its heap with the plans of every past query until
# aggregations fail for want of memory (AGGREGATE_OUT_OF_MEMORY). The context cleaner's
# periodic GC lets the JVM release broadcasts and shuffles of collected DataFrames sooner.
STATUS_RETENTION = {
    "spark.sql.ui.retainedExecutions": "50",
    "spark.ui.retainedJobs": "100",
    "spark.ui.retainedStages": "100",
    "spark.ui.retainedTasks": "2000",
    "spark.ui.dagGraph.retainedRootRDDs": "100",
    "spark.cleaner.periodicGC.interval": "2min",
}


def session_conf(settings: Settings, **conf: str) -> dict[str, str]:
    """The options ``get_spark`` adds to its fixed ones: status retention, the cores an
    application may take (``spark_cores_max``), object storage, then ``conf``."""
    cores = {"spark.cores.max": str(settings.spark_cores_max)} if settings.spark_cores_max else {}
    return {**STATUS_RETENTION, **cores, **object_store_conf(settings), **conf}


def get_spark(settings: Settings, app_name: str = "jutong", **conf: str):
    """A Spark session on ``settings.spark_master`` with the options Jutong relies on.

    - UI and console progress off (headless runs, Airflow logs);
    - TIMESTAMP_MICROS Parquet output, which pyiceberg accepts (INT96 it refuses);
    - Arrow for pandas UDFs; small shuffle partition count on one machine;
    - the JIT compiles large generated methods (``-XX:-DontCompileHugeMethods``);
    - bounded status retention (``STATUS_RETENTION``);
    - at most ``spark_cores_max`` cores of a standalone cluster (``spark.cores.max``).
    """
    from pyspark.sql import SparkSession

    # Executors must use the same interpreter as the driver (the project's environment).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = (
        SparkSession.builder.master(settings.spark_master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", settings.spark_driver_memory)
        .config("spark.sql.shuffle.partitions", str(settings.spark_shuffle_partitions))
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        # Arrow UDFs have a fixed cost per call (~1-2 ms): hand them larger batches. Reading
        # Parquet, the batch a UDF receives is the reader's (4096 rows by default).
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "100000")
        .config("spark.sql.parquet.columnarReaderBatchSize", "32768")
        .config("spark.sql.session.timeZone", "Asia/Shanghai")
        # Let the JIT compile Spark's generated methods over 8 KB too (wide projections,
        # e.g. the lineage of every golden field, otherwise run interpreted: 5x slower).
        .config("spark.driver.extraJavaOptions", "-XX:-DontCompileHugeMethods")
    )
    for key, value in session_conf(settings, **conf).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
