"""The Iceberg SQL catalog on PostgreSQL (``iceberg_catalog_uri = postgresql+<driver>://…``)
with a ``file://`` warehouse: ``Lake`` creates a table, publishes batches through
write-audit-publish (branches, then a fast commit of main), appends, and reads it back — also
from a second ``Lake`` that shares nothing with the first but the catalog database."""

from __future__ import annotations

import pyarrow as pa
import pytest
import sqlalchemy as sa
from lakeutil import SCHEMA, make_table, publish_batch

from jutong.lake import Lake
from jutong.lake.history import published_values
from tests.conftest import settings_for


@pytest.mark.parametrize("driver", ["psycopg2", "psycopg"])
def test_lake_on_a_postgresql_catalog_creates_appends_and_reads(home, pg_url_factory, driver):
    uri = pg_url_factory(driver=driver)
    settings = settings_for(
        home,
        iceberg_catalog_uri=uri,
        iceberg_warehouse=(home / "warehouse").as_uri(),
    )
    lake = Lake(settings)
    table = make_table(lake)
    first = publish_batch(lake, table, "b1", rows=5)  # the published snapshot's id
    second = publish_batch(lake, lake.table("staging", "t"), "b2", rows=3, files=2)
    assert first != second
    extra = pa.table(
        {"_batch_id": ["b3"] * 2, "_row_number": [0, 1], "v": ["x", "y"]}, schema=SCHEMA
    )
    lake.table("staging", "t").append(extra)

    again = Lake(settings_for(home, iceberg_catalog_uri=uri,
                              iceberg_warehouse=(home / "warehouse").as_uri()))  # fmt: skip
    t = again.table("staging", "t")
    rows = t.scan().to_arrow()
    assert rows.num_rows == 10
    assert sorted(set(rows.column("_batch_id").to_pylist())) == ["b1", "b2", "b3"]
    assert published_values(t) == ["b1", "b2"]
    assert t.refs().keys() == {"main"}  # the publish branches were removed
    # the catalog lives in PostgreSQL, the data under the file:// warehouse
    eng = sa.create_engine(uri)
    try:
        with eng.connect() as conn:
            names = conn.execute(
                sa.text("SELECT table_namespace, table_name FROM iceberg_tables")
            ).all()
    finally:
        eng.dispose()
    assert [tuple(n) for n in names] == [("staging", "t")]
    assert t.metadata_location.startswith((home / "warehouse").as_uri())
