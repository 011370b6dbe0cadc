"""Airflow DAGs standardize__<department>__<dataset>, one per resource-catalog entry (generated).

Wiring only: built by jutong.orchestration.standardize_dags; scheduled on the raw tables' Assets.
"""

from jutong.orchestration.standardize_dags import build_all

globals().update(build_all())
