"""Copy the rows of one governance database into another (SQLite embedded -> PostgreSQL).

Both databases must be at the same revision, and the target hold no rows of its own besides
the audit head the migrations write (``jutong governance copy --from SOURCE`` upgrades both
first). Rows keep their ids and sequence numbers, so the audit
chain verifies unchanged; on PostgreSQL each table's id sequence is then moved past the
copied ids (else the next insert would collide with a copied row).
"""

from __future__ import annotations

import sqlalchemy as sa

from jutong.governance.schema import VERSION_TABLE, metadata

_BATCH = 1000


def _revision(conn: sa.Connection) -> str | None:
    if not sa.inspect(conn).has_table(VERSION_TABLE):
        return None
    return conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def copy_rows(source: sa.Engine, target: sa.Engine) -> dict[str, int]:
    """Copy every table's rows from ``source`` to ``target`` in one target transaction;
    returns rows copied per table. Raises ``ValueError`` when the revisions differ."""
    copied: dict[str, int] = {}
    with source.connect() as src, target.begin() as dst:
        have, want = _revision(src), _revision(dst)
        if have != want:
            raise ValueError(
                f"governance copy: source is at revision {have}, target at {want}: "
                "upgrade both to the same revision first"
            )
        held = [
            t.name
            for t in metadata.sorted_tables
            if t.name != "audit_head"  # written by the migrations; replaced by the source's
            and dst.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
        ]
        if held:
            raise ValueError(
                f"governance copy: the target already holds rows ({', '.join(held)}); "
                "copy into a new, empty database"
            )
        for table in reversed(metadata.sorted_tables):  # children first
            dst.execute(table.delete())
        for table in metadata.sorted_tables:  # parents first
            n = 0
            result = src.execute(sa.select(table))
            while rows := result.fetchmany(_BATCH):
                dst.execute(table.insert(), [dict(r._mapping) for r in rows])
                n += len(rows)
            copied[table.name] = n
        if dst.dialect.name == "postgresql":
            for table in metadata.sorted_tables:
                for col in table.primary_key.columns:
                    if col.autoincrement is True:
                        dst.execute(
                            sa.text(
                                "SELECT setval(pg_get_serial_sequence(:t, :c), "
                                f"COALESCE((SELECT MAX({col.name}) FROM {table.name}), 0) + 1, "
                                "false)"
                            ),
                            {"t": table.name, "c": col.name},
                        )
    return copied
