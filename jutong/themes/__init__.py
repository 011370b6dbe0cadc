"""Theme databases (主题数据库, GX-Reg art. 23; GX-Dispatch art. 25-26) built with dbt on the
base databases, and analysts' SQL access to the lake.

| module | concern |
|---|---|
| ``sources`` | the dbt sources generated from the catalog; the lake's tables checked against them |
| ``lakeviews`` | published Iceberg tables (now or as of a day) as DuckDB views |
| ``project`` | where the dbt project, its working files and docs are; the dbt-duckdb profile |
| ``build`` | ``jutong themes build``: dbt build as the audit, marts published by write-audit-publish |
| ``sql`` | ``jutong sql`` and ``connect()``: a read-only DuckDB session over base and theme |
| ``cli`` | the ``themes`` and ``sql`` commands |
"""
