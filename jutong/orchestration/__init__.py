"""Airflow wiring: DAG factories that the thin files in ``dags/`` call.

Only DAG files import this package; the rest of ``jutong`` never imports Airflow.
"""
