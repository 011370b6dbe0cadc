"""Data quality, the pure part: the suite model (``spec``), suites generated from the catalog
(``suites``), the gate's judgement (``verdict``, ``result``), the six dimension scores
(``scores``), the record of gate runs (``store``) and the report (``report``).

No Spark and no Great Expectations here: the gate runs on Spark in ``spark_jobs.quality``.
"""
