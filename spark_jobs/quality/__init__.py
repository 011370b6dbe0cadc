"""The quality gate on Spark: a Great Expectations suite evaluated on a Spark DataFrame.

Used as the audit step of the staging write-audit-publish (``spark_jobs.standardize``) and of
the base-database publish (``spark_jobs.base.run``). Nothing that fails may reach a base
database, a share or a release (GX-Reg art. 18, 24; GX-Dispatch art. 38–41; LZ-Rules art. 24,
34). The suite model and the judgement are pure and live in ``jutong.quality`` (``spec``,
``verdict``, ``result``); this package runs them:

- ``expectations``: the custom GE expectations (identifiers valid by our rules);
- ``context``: the GE context, its Data Docs site, a suite in GE's form;
- ``flags``: the row failure flags (which row-level expectations each row fails);
- ``evaluate``: ``precheck`` and ``check_frame`` (the checkpoint run, counted and judged).
"""

from jutong.telemetry import disable_telemetry

# before any submodule imports Great Expectations
disable_telemetry()
