"""Extracts for the ingestion tests: fixture rows, a delivery helper, what the raw table holds."""

from __future__ import annotations

from pathlib import Path

from jutong.lake import Lake

HUJI_ROWS = [
    [
        "450102199003071234",
        "韦 小宝",
        "男",
        "1990-03-07",
        "壮族",
        "广西壮族自治区南宁市兴宁区朝阳路1号",
        "2010/5/1",
    ],
    [
        "45010219900307123x",
        "阿依古丽·买买提",
        "女",
        "1990年3月7日",
        "维吾尔族",
        "广西壮族自治区南宁市青秀区民族大道5号",
        "",
    ],
    [
        "４５０１０２８５０３０７１２３",
        "欧阳春",
        "1",
        "19850307",
        "汉族",
        "广西南宁市江南区",
        "20100501",
    ],
]


def deliver_csv(settings, entry, name, rows, header=None, encoding=None) -> Path:
    folder = settings.landing_dir / entry.department / entry.dataset
    folder.mkdir(parents=True, exist_ok=True)
    header = header or [it.column for it in entry.items]
    lines = [",".join(header)] + [",".join(r) for r in rows]
    path = folder / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding or entry.extract.encoding))
    return path


def raw_rows(settings, entry) -> list[dict]:
    lake = Lake(settings)
    if not lake.table_exists("raw", entry.table_name):
        return []
    return lake.table("raw", entry.table_name).scan().to_arrow().sort_by("_row_number").to_pylist()


def snapshot_id(settings, entry):
    lake = Lake(settings)
    if not lake.table_exists("raw", entry.table_name):
        return None
    return lake.table("raw", entry.table_name).current_snapshot().snapshot_id
