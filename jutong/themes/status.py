"""What the theme zone holds: each published mart's rows, as-of day and publish time."""

from __future__ import annotations

import datetime as dt

from jutong.lake import Lake, Zone
from jutong.lake.history import rows_at
from jutong.settings import Settings
from jutong.themes.project import docs_dir


def theme_status(settings: Settings, lake: Lake | None = None) -> tuple[list[dict], str | None]:
    """(one dict per published mart, the dbt docs page or None)."""
    lake = lake or Lake(settings)
    rows = []
    for name in lake.tables(Zone.theme):
        table = lake.table(Zone.theme, name)
        snap = table.current_snapshot()
        if snap is None:
            continue
        props = dict(snap.summary.additional_properties) if snap.summary else {}
        rows.append(
            {
                "mart": name,
                "rows": rows_at(table, snap.snapshot_id),
                "as_of": props.get("jutong.as_of"),
                "published_at": dt.datetime.fromtimestamp(snap.timestamp_ms / 1000, dt.UTC)
                .replace(microsecond=0)
                .isoformat(),
                "snapshot_id": snap.snapshot_id,
            }
        )
    page = docs_dir(settings) / "static_index.html"
    return rows, str(page) if page.exists() else None
