"""The lineage table ``meta.lineage``: written through the lake layer (write-audit-publish),
read back edge for edge; the same edges again publish nothing; other edges replace them."""

from __future__ import annotations

from jutong.lake import Lake, Zone
from jutong.lineage.catalog_edges import catalog_edges
from jutong.lineage.model import Edge, Hop, edge
from jutong.lineage.store import HASH_PROPERTY, TABLE, read_lineage, write_lineage


def test_written_read_back_idempotent_and_replaced(settings, catalog):
    lake = Lake(settings)
    assert read_lineage(lake) is None
    edges = catalog_edges(catalog)  # the real catalog's edges (the dbt part needs no lake)
    rows, published = write_lineage(lake, edges)
    assert (rows, published) == (len(edges), True)
    assert sorted(read_lineage(lake), key=Edge.sort_key) == sorted(edges, key=Edge.sort_key)
    table = lake.table(Zone.meta, TABLE)
    first = table.current_snapshot()
    assert HASH_PROPERTY in first.summary.additional_properties

    assert write_lineage(lake, list(reversed(edges))) == (len(edges), False)
    assert lake.table(Zone.meta, TABLE).current_snapshot().snapshot_id == first.snapshot_id

    fewer = [*edges[:10], edge("base.population.note", None, Hop.base, "constant", "test")]
    assert write_lineage(lake, fewer) == (11, True)
    assert sorted(read_lineage(lake), key=Edge.sort_key) == sorted(fewer, key=Edge.sort_key)
    frame = lake.table(Zone.meta, TABLE).scan().to_arrow()
    row = frame.filter(frame.column("target_column").to_numpy(zero_copy_only=False) == "note")
    assert row.column("target_zone").to_pylist() == ["base"]
    assert row.column("source").to_pylist() == [None]
