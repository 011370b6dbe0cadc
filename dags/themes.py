"""Airflow DAG build__themes: the theme databases (dbt), published to the theme zone.

Wiring only: built by jutong.orchestration.theme_dags; scheduled on the base databases' Assets.
"""

from jutong.orchestration.theme_dags import build_all

globals().update(build_all())
