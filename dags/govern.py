"""Airflow DAGs govern__sla_sweep (deadlines, every 15 minutes) and share__deliver.

Wiring only: built by jutong.orchestration.govern_dags.
"""

from jutong.orchestration.govern_dags import build_all

globals().update(build_all())
