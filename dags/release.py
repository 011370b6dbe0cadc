"""Airflow DAGs release__<id>, one per open-release definition (catalog/releases/*.yaml).

Wiring only: built by jutong.orchestration.release_dags; scheduled on the base tables' Assets.
"""

from jutong.orchestration.release_dags import build_all

globals().update(build_all())
