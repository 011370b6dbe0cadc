"""The real stack on one machine (``jutong stack up|down|status``, ``make stack``).

PostgreSQL, SeaweedFS (S3 and its Iceberg REST catalog), a Spark standalone master and worker,
Redis and Airflow (CeleryExecutor), each bound to 127.0.0.1, under ``.stack/`` in the checkout:
one folder per service (``data/``, ``logs/``, pid files), generated credentials in
``.stack/secrets/`` (mode 0600), a generated settings file ``.stack/jutong.toml`` (no secrets)
and ``.stack/env`` to ``source``. See docs/stack.md.

An entry-point package: it starts processes but imports neither Spark nor Airflow.
"""
