"""Column lineage (可溯: GX-Dispatch art. 42; 数据追溯体系: LZ-Rules art. 25).

Derived, never hand-written, from what the platform runs on: the catalog's items and mentions
(extract → raw → staging → base), dbt's compiled SQL read by sqlglot (base → theme), and the
release definitions with their masking policies (theme/base → release). Stored as the lake
table ``meta.lineage`` by ``jutong lineage build``; ``jutong lineage COLUMN`` shows the tree.

| module | concern |
|---|---|
| ``model`` | ``Edge``, ``Hop`` (with its article), column names |
| ``catalog_edges`` | the Spark part, from the catalog |
| ``dbt_edges`` | the themes, from dbt's compiled SQL (sqlglot) |
| ``release_edges`` | the open-data releases |
| ``derive`` | all of them |
| ``store`` | the table ``meta.lineage`` |
| ``graph`` | upstream/downstream trees, text and JSON |
"""

from jutong.lineage.graph import Lineage, UnknownColumnError
from jutong.lineage.model import ROWS, Edge, Hop

__all__ = ["ROWS", "Edge", "Hop", "Lineage", "UnknownColumnError"]
