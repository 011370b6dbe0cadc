"""Pure steps of the entity builds (population, legal entity): each takes DataFrames and
returns DataFrames (or small Python values collected from them); none reads or writes the
lake. ``spark_jobs.base.entities`` reads the inputs, runs ``spark_jobs.base.resolve`` and
publishes the results.

- ``ids``: the normalized key of each mention and the numbering of new keys;
- ``probabilistic``: deciding Splink's scored pairs (merge, clerical review, apart);
- ``links``: each mention linked to its entity (or quarantined, with the reason);
- ``survivorship``: one golden record per entity, with per-field lineage;
- ``conflicts``: other departments' values that differ from the golden one;
- ``history``: versions of the golden records (SCD type 2);
- ``ledger``: mentions in = matched + quarantined + exact duplicates, per batch and role.
"""
