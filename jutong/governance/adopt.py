"""Adopting a governance database made before migrations existed.

Before migrations each module created its own tables on first use, so such a database holds
some or all of the tables of revision ``0001`` and no version table. ``check_legacy`` compares
the present ones, column by column (name, kind of type, nullability outside the primary key), with that revision's
frozen definition (``TABLES`` of ``migrations/versions/0001_initial.py``); revision ``0001``
then creates the missing tables and Alembic records the revision. A table that does not match
stops the upgrade with one line naming the table and column: nothing is changed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from jutong.settings import SettingsError

BASELINE = "0001"

# Kinds of column type, most specific first: dialects reflect different classes (FLOAT vs DOUBLE
# PRECISION, DATETIME vs TIMESTAMP), a changed kind is a mismatch.
_KINDS: tuple[tuple[str, type[sa.types.TypeEngine]], ...] = (
    ("boolean", sa.Boolean),
    ("datetime", sa.DateTime),
    ("date", sa.Date),
    ("json", sa.JSON),
    ("integer", sa.Integer),
    ("float", sa.Float),
    ("text", sa.String),
)


class SchemaMismatchError(SettingsError):
    """The governance database does not match what the migrations expect; one line says where.

    A settings error: ``governance_db_uri`` points to a database this code cannot use, and the
    command line reports it as one line, whatever command needed the database.
    """


def _kind(type_: sa.types.TypeEngine) -> str:
    for name, cls in _KINDS:
        if isinstance(type_, cls):
            return name
    return type(type_).__name__.lower()


def baseline_tables(script: ScriptDirectory) -> dict[str, sa.Table]:
    """The tables of the baseline revision, in creation order."""
    revision = script.get_revision(BASELINE)
    if revision is None:  # pragma: no cover - the revision ships with the package
        raise SchemaMismatchError(f"governance migrations: revision {BASELINE} is missing")
    md = sa.MetaData()
    return {name: sa.Table(name, md, *items()) for name, items in revision.module.TABLES.items()}


def check_legacy(conn: sa.Connection, baseline: dict[str, sa.Table]) -> list[str]:
    """The baseline tables present in an unversioned database, after checking their columns.

    Raises ``SchemaMismatchError`` naming the first table and column that differ.
    """
    inspector = sa.inspect(conn)
    present = set(inspector.get_table_names())
    found_tables = [name for name in baseline if name in present]
    for name in found_tables:
        expected = baseline[name]
        found = {c["name"]: c for c in inspector.get_columns(name)}
        where = f"governance database: table {name}"
        for col in expected.columns:
            got = found.get(col.name)
            if got is None:
                raise SchemaMismatchError(
                    f"{where}: column {col.name} is missing (revision {BASELINE} has it); "
                    "nothing was changed"
                )
            if _kind(got["type"]) != _kind(col.type):
                raise SchemaMismatchError(
                    f"{where}: column {col.name} is {got['type']} where revision {BASELINE} "
                    f"has {col.type} ({_kind(col.type)}); nothing was changed"
                )
            if not col.primary_key and bool(got["nullable"]) != bool(col.nullable):
                want = "nullable" if col.nullable else "NOT NULL"
                raise SchemaMismatchError(
                    f"{where}: column {col.name} should be {want} as in revision {BASELINE}; "
                    "nothing was changed"
                )
        extra = [c for c in found if c not in expected.columns]
        if extra:
            raise SchemaMismatchError(
                f"{where}: column {extra[0]} is not in revision {BASELINE}; nothing was changed"
            )
    return found_tables
