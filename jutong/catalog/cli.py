"""``jutong catalog list | show ID | validate`` (entries and release definitions)."""

from __future__ import annotations

import argparse
import json
import sys

from jutong.catalog.loader import CatalogError, load_catalog
from jutong.settings import get_settings
from jutong.textable import render


def _load(args):
    return load_catalog(args.catalog or get_settings().catalog_dir)


def cmd_list(args) -> int:
    cat = _load(args)
    rows = [
        (
            e.id,
            e.title,
            cat.department_name(e.department),
            f"{e.extract.format.value}/{e.extract.encoding}",
            e.update_cycle.value,
            e.share.type.label,
            e.open.type.label,
            e.base.feeds.value,
        )
        for e in cat
    ]
    if args.json:
        print(
            json.dumps(
                [
                    dict(
                        zip(
                            [
                                "id",
                                "title",
                                "department",
                                "extract",
                                "update_cycle",
                                "share",
                                "open",
                                "feeds",
                            ],
                            r,
                            strict=True,
                        )
                    )
                    for r in rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(
            render(
                [
                    "id",
                    "title 名称",
                    "provider 提供单位",
                    "extract",
                    "cycle",
                    "share 共享",
                    "open 开放",
                    "feeds",
                ],
                rows,
            )
        )
        print(f"\n{len(rows)} dataset(s) from {len({e.department for e in cat})} department(s)")
        if cat.shared:
            print(
                f"{len(cat.shared)} base/theme resource(s) of the bureau on the share list "
                "(catalog/shared/): jutong share resources"
            )
    return 0


def cmd_show(args) -> int:
    cat = _load(args)
    if args.id in cat.shared:
        return _show_shared(cat, cat.shared[args.id], as_json=args.json)
    try:
        e = cat.get(args.id)
    except KeyError as exc:
        print(f"jutong catalog show: {exc.args[0]}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(e.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return 0
    print(f"{e.id}  {e.title}" + (f"  ({e.title_en})" if e.title_en else ""))
    print(f"  file:            {cat.files[e.id]}")
    print(f"  provider:        {cat.department_name(e.department)} ({e.department})")
    print(f"  source system:   {e.source_system}")
    print(f"  summary:         {e.summary}")
    print(f"  domain:          {e.domain}")
    print(f"  update cycle:    {e.update_cycle.value}")
    ex = e.extract
    print(
        f"  extract:         {ex.format.value}, {ex.encoding}, pattern {ex.file_pattern}"
        + (f", sheet {ex.sheet}" if ex.sheet else "")
    )
    print(
        f"  share:           {e.share.type.label} ({e.share.type.value}), method {e.share.method}"
    )
    if e.share.legal_basis:
        print(f"  legal basis:     {e.share.legal_basis}")
    print(f"  open:            {e.open.type.label} ({e.open.type.value})")
    if e.open.conditions:
        print(f"  open conditions: {e.open.conditions}")
    print(
        f"  feeds:           {e.base.feeds.value}; authoritative for: {', '.join(e.base.authoritative_for) or '-'}"
    )
    print(f"  ingestion DAG:   {e.dag_id} (schedule {e.ingest_schedule})")
    print()
    rows = [
        (
            it.name,
            it.label,
            it.column,
            it.type.value,
            "yes" if it.required else "",
            "" if it.identifier.value == "none" else it.identifier.value,
            "" if it.pii.value == "none" else it.pii.value,
            it.sensitivity,
            it.masking.value if it.masking else "",
            it.golden_field or "",
        )
        for it in e.items
    ]
    print(
        render(
            [
                "item",
                "label 名称",
                "column in extract",
                "type",
                "required",
                "identifier",
                "pii",
                "level",
                "masking",
                "golden field",
            ],
            rows,
        )
    )
    return 0


def _show_shared(cat, r, *, as_json: bool) -> int:
    """One of the bureau's base or theme resources (``catalog/shared/``)."""
    if as_json:
        print(json.dumps(r.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return 0
    print(f"{r.id}  {r.title}" + (f"  ({r.title_en})" if r.title_en else ""))
    print(f"  file:            {cat.files[r.id]}")
    print(f"  provider:        {cat.department_name(r.department)} ({r.department})")
    print(f"  kind:            {r.kind} table {r.source_table}")
    if r.summary:
        print(f"  summary:         {r.summary}")
    print(
        f"  share:           {r.share.type.label} ({r.share.type.value}), method {r.share.method}"
    )
    if r.share.legal_basis:
        print(f"  legal basis:     {r.share.legal_basis}")
    print()
    rows = [
        (
            it.name,
            it.label,
            it.sensitivity or "",
            (it.policy.value + (f":{it.mask}" if it.mask else "")) if it.policy else "(lineage)",
            it.reason or "",
        )
        for it in r.items
    ]
    print(render(["item", "label 名称", "level", "share policy", "reason"], rows))
    return 0


def cmd_validate(args) -> int:
    """The catalog entries and the release definitions (``<catalog>/releases/``)."""
    from jutong.catalog.releases import (
        ReleaseDefinitionError,
        check_entries,
        load_definitions,
        releases_dir,
    )

    root = args.catalog or get_settings().catalog_dir
    problems: list[str] = []
    cat = None
    try:
        cat = load_catalog(root)
    except CatalogError as err:
        problems += err.problems
    defs = {}
    try:
        defs = load_definitions(root)
    except ReleaseDefinitionError as err:
        problems += err.problems
        defs = err.valid
    if cat is not None:
        problems += check_entries(defs, set(cat.entries), releases_dir(root))
    if problems or cat is None:
        print(f"catalog {root}: {len(problems)} problem(s)", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print(
        f"catalog {root}: OK — {len(cat)} dataset(s), {len(cat.departments)} department(s), "
        f"{len(cat.shared)} shared base/theme resource(s), {len(defs)} release definition(s)"
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("catalog", help="the resource catalog (政务数据资源目录)")
    p.add_argument("--catalog", help="catalog folder (default: settings catalog_dir)")
    cs = p.add_subparsers(dest="catalog_cmd", required=True)
    lp = cs.add_parser("list", help="list the catalog's datasets")
    lp.add_argument("--json", action="store_true")
    lp.set_defaults(func=cmd_list)
    sp = cs.add_parser("show", help="show one dataset and its data items")
    sp.add_argument("id", help="catalog id, e.g. gongan.huji")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_show)
    vp = cs.add_parser(
        "validate", help="check every entry and release definition; non-zero exit on problems"
    )
    vp.set_defaults(func=cmd_validate)
