"""Airflow DAGs ingest__<department>__<dataset>, one per resource-catalog entry (generated).

Wiring only: the DAGs are built by jutong.orchestration.ingest_dags from catalog/.
"""

from jutong.orchestration.ingest_dags import build_all

globals().update(build_all())
