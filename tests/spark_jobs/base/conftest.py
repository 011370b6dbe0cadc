"""Hand-made mention frames for the base-build steps: the full mention shape of a kind, each
column null unless a row sets it."""

from __future__ import annotations

import datetime as dt

import pytest

from jutong.catalog.model import EntityKind

T1 = dt.datetime(2026, 11, 1, 8, 0)
T2 = dt.datetime(2026, 11, 2, 8, 0)


def _type(column: str) -> str:
    from spark_jobs.base.mentions import FIELD_TYPES

    if column in FIELD_TYPES:
        return FIELD_TYPES[column]
    return {
        "row_number": "long",
        "loaded_at": "timestamp",
        "m_birth": "date",
        "auth_fields": "array<string>",
    }.get(column, "string")


@pytest.fixture()
def mentions(spark):
    """Factory: ``mentions(kind, rows, extra=())`` -> a DataFrame of the kind's mention columns
    (``spark_jobs.base.mentions.mention_columns``) plus ``extra`` string columns; ``rows`` are
    dicts giving some columns (``auth_fields`` defaults to an empty list)."""
    from spark_jobs.base.mentions import mention_columns

    def make(kind: EntityKind, rows: list[dict], extra: tuple[str, ...] = ()):
        cols = [*mention_columns(kind), *extra]
        unknown = {c for r in rows for c in r} - set(cols)
        assert not unknown, unknown
        schema = ", ".join(f"{c} {_type(c)}" for c in cols)
        data = [tuple(r.get(c, [] if c == "auth_fields" else None) for c in cols) for r in rows]
        return spark.createDataFrame(data, schema)

    return make
