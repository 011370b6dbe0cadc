"""The one place a Spark session is built, from settings."""

from __future__ import annotations

import os
import sys

from jutong.settings import Settings


def get_spark(settings: Settings, app_name: str = "jutong", **conf: str):
    """A Spark session on ``settings.spark_master`` with the options Jutong relies on.

    - UI and console progress off (headless runs, Airflow logs);
    - TIMESTAMP_MICROS Parquet output, which pyiceberg accepts (INT96 it refuses);
    - Arrow for pandas UDFs; small shuffle partition count on one machine;
    - the JIT compiles large generated methods (``-XX:-DontCompileHugeMethods``).
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
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
