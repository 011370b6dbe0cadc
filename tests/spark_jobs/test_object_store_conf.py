"""Spark's object-store options come from the settings (endpoint, jars) and the environment
(keys), never the keys from the settings file. Pure: no Spark session."""

from __future__ import annotations

from dataclasses import replace

from jutong.settings import load_settings
from spark_jobs.session import S3A_DURATIONS, object_store_conf


def test_no_endpoint_no_s3a(tmp_path):
    s = load_settings({"JUTONG_HOME": str(tmp_path)})
    assert object_store_conf(s, {}) == {}
    s = replace(s, spark_jars="/j/a.jar,/j/b.jar")
    assert object_store_conf(s, {}) == {
        "spark.driver.extraClassPath": "/j/a.jar:/j/b.jar",
        "spark.executor.extraClassPath": "/j/a.jar:/j/b.jar",
    }


def test_s3a_on_the_endpoint_with_keys_from_the_environment(tmp_path):
    s = load_settings(
        {
            "JUTONG_HOME": str(tmp_path),
            "JUTONG_S3_ENDPOINT": "http://127.0.0.1:9000",
            "JUTONG_S3_REGION": "us-east-1",
        }
    )
    conf = object_store_conf(s, {"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"})
    h = "spark.hadoop.fs.s3a."
    assert conf[h + "endpoint"] == "http://127.0.0.1:9000"
    assert conf[h + "path.style.access"] == "true"
    assert conf[h + "connection.ssl.enabled"] == "false"
    assert conf[h + "access.key"] == "k" and conf[h + "secret.key"] == "s"
    assert conf["spark.hadoop.fs.s3.impl"] == "org.apache.hadoop.fs.s3a.S3AFileSystem"
    for key, value in S3A_DURATIONS.items():
        assert conf[h + key] == value and value.isdigit()  # plain numbers for hadoop-aws 3.3
    assert h + "access.key" not in object_store_conf(s, {})
