"""Airflow DAG govern__sla_sweep: governance deadlines every 15 minutes.

Wiring only: built by jutong.orchestration.govern_dags.
"""

from jutong.orchestration.govern_dags import build_all

globals().update(build_all())
