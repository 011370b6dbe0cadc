"""Jutong (聚通): data pipeline and governance platform for big-data bureaus.

The core is importable without Spark or Airflow.
"""

__version__ = "0.1.0"
