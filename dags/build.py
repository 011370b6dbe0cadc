"""Airflow DAGs build__population, build__legal_entity, build__spatial, build__e_license.

Wiring only: built by jutong.orchestration.build_dags; scheduled on the Assets they consume.
"""

from jutong.orchestration.build_dags import build_all

globals().update(build_all())
