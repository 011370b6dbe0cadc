"""``jutong base build|status|show|conflicts``, ``jutong base review list|accept|reject`` and
``jutong base evaluate``."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from pathlib import Path

from jutong.catalog import load_catalog
from jutong.catalog.model import BASES, ENTITY_BASES
from jutong.lake import Zone
from jutong.settings import Settings, get_settings
from jutong.textable import render

# ---- status ------------------------------------------------------------------------------


def _rows(lake, name: str) -> int | None:
    if not lake.table_exists(Zone.base, name):
        return None
    snap = lake.table(Zone.base, name).current_snapshot()
    if snap is None or snap.summary is None:
        return 0
    return int(snap.summary.additional_properties.get("total-records", 0))


def base_status(settings: Settings) -> list[dict]:
    """Per base database: entities, merged records, conflicts, review queue, flagged
    licences — read from the published snapshots, without Spark."""
    from jutong.base import review
    from jutong.lake import Lake

    lake = Lake(settings)
    out = []
    for base in ENTITY_BASES:
        entities = _rows(lake, base)
        if entities is None:
            out.append({"base": base, "built": False})
            continue
        props = lake.table(Zone.base, base).current_snapshot().summary.additional_properties
        mentions = int(props.get("jutong.mentions", 0))
        ledger = lake.table(Zone.base, f"{base}_ledger").scan().to_arrow().to_pylist()
        out.append(
            {
                "base": base,
                "built": True,
                "as_of": props.get("jutong.as_of"),
                "entities": entities,
                "mentions": mentions,
                "merged": sum(r["matched"] for r in ledger) - entities,
                "duplicates": sum(r["duplicates"] for r in ledger),
                "quarantined": sum(r["quarantined"] for r in ledger),
                "conflicts": _rows(lake, f"{base}_conflicts") or 0,
                "review_pending": len(review.list_items(settings, base=base)),
                "ledger_balanced": all(r["balanced"] for r in ledger),
            }
        )
    if lake.table_exists(Zone.base, "spatial_parcel"):
        parcels = (
            lake.table(Zone.base, "spatial_parcel")
            .scan(selected_fields=("holder_found",))
            .to_arrow()
        )
        out.append(
            {
                "base": "spatial",
                "built": True,
                "divisions": _rows(lake, "spatial_division"),
                "parcels": parcels.num_rows,
                "located_addresses": _rows(lake, "spatial_location") or 0,
                "flagged": parcels.num_rows - sum(parcels.column("holder_found").to_pylist()),
            }
        )
    else:
        out.append({"base": "spatial", "built": False})
    if lake.table_exists(Zone.base, "e_license"):
        lic = (
            lake.table(Zone.base, "e_license")
            .scan(selected_fields=("holder_found", "status"))
            .to_arrow()
        )
        states: dict[str, int] = {}
        for s in lic.column("status").to_pylist():
            states[s or "unknown"] = states.get(s or "unknown", 0) + 1
        out.append(
            {
                "base": "e_license",
                "built": True,
                "licences": lic.num_rows,
                "flagged": lic.num_rows - sum(lic.column("holder_found").to_pylist()),
                "states": states,
            }
        )
    else:
        out.append({"base": "e_license", "built": False})
    return out


def status_lines(statuses: list[dict]) -> list[str]:
    rows = []
    for s in statuses:
        if not s.get("built"):
            rows.append([s["base"], "not built", "", "", "", "", ""])
        elif s["base"] in ENTITY_BASES:
            rows.append(
                [
                    s["base"],
                    s["entities"],
                    s["merged"],
                    s["conflicts"],
                    s["review_pending"],
                    s["quarantined"],
                    "-" if s["ledger_balanced"] else "LEDGER UNBALANCED",
                ]
            )
        elif s["base"] == "spatial":
            rows.append(
                [
                    "spatial",
                    f"{s['divisions']:,} divisions, {s['parcels']:,} parcels",
                    "",
                    "",
                    "",
                    "",
                    f"{s['flagged']:,} parcels: holder not found",
                ]
            )
        else:
            rows.append(
                [
                    "e_license",
                    f"{s['licences']:,} licences",
                    "",
                    "",
                    "",
                    "",
                    f"{s['flagged']:,} flagged: holder not found; "
                    + ", ".join(f"{k} {v:,}" for k, v in sorted(s["states"].items())),
                ]
            )
    head = ["base", "entities", "merged", "conflicts", "review queue", "quarantined", "flags"]
    return render(head, rows, right=(2, 3, 4, 5)).splitlines()


# ---- commands ----------------------------------------------------------------------------


def _as_of(text: str | None) -> dt.date:
    return dt.date.fromisoformat(text) if text else dt.date.today()


def cmd_build(args) -> int:
    from jutong.lake import LakeError
    from spark_jobs.base.run import run_build

    settings = get_settings()
    wanted = BASES if args.base == "all" else (args.base,)
    refused = []
    for base in wanted:
        try:
            res = run_build(settings, base, _as_of(args.as_of), progress=print)
        except LakeError as exc:  # nothing published for this base; the others still build
            print(f"{base}: not built: {exc}", file=sys.stderr)
            refused.append(base)
            continue
        if args.json:
            print(json.dumps(res, ensure_ascii=False, default=str, indent=2))
    if refused:
        print(
            f"not built: {', '.join(refused)} (their published tables are unchanged)",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_status(args) -> int:
    settings = get_settings()
    st = base_status(settings)
    if args.json:
        print(json.dumps(st, ensure_ascii=False, indent=2, default=str))
    else:
        print("\n".join(status_lines(st)))
        for line in unit_warnings(settings):
            print(f"WARNING {line}")
    return 0


def unit_warnings(settings: Settings) -> list[str]:
    """A base whose tables were not all published by the same build (a crash between the
    publishes of one unit): say which, and what to run."""
    from jutong.lake import Lake, table_id
    from jutong.lake.repair import unit_gaps

    lake = Lake(settings)
    out = []
    for name in lake.tables(Zone.base):
        gaps = unit_gaps(lake, table_id(Zone.base, name))
        if gaps:
            out.append(
                f"base.{name} was published by a build whose {', '.join(gaps)} was not — "
                "run `jutong lake repair`"
            )
    return out


def cmd_show(args) -> int:
    """One golden record with its lineage (current, or as of a date)."""
    from jutong.lake import Lake

    settings = get_settings()
    lake = Lake(settings)
    base = args.base
    id_col = {"population": "person_id", "legal_entity": "org_id"}[base]
    key_col = {"population": "resident_id", "legal_entity": "uscc"}[base]
    name = f"{base}_history" if args.as_of else base
    if not lake.table_exists(Zone.base, name):
        print(f"jutong base show: base.{name} is not built yet", file=sys.stderr)
        return 2
    from pyiceberg.expressions import EqualTo

    col = id_col if args.id[:1] in ("P", "E") and len(args.id) == 11 else key_col
    rows = lake.table(Zone.base, name).scan(row_filter=EqualTo(col, args.id)).to_arrow().to_pylist()
    if args.as_of:
        day = dt.date.fromisoformat(args.as_of)
        rows = [r for r in rows if r["_valid_from"] <= day]
        rows = sorted(rows, key=lambda r: r["_version"])[-1:]
    if not rows:
        print(f"jutong base show: no {base} record {args.id}", file=sys.stderr)
        return 1
    print(json.dumps(rows[0], ensure_ascii=False, indent=2, default=str))
    return 0


def cmd_conflicts(args) -> int:
    from jutong.lake import Lake

    lake = Lake(get_settings())
    name = f"{args.base}_conflicts"
    if not lake.table_exists(Zone.base, name):
        print(f"jutong base conflicts: base.{name} is not built yet", file=sys.stderr)
        return 2
    rows = lake.table(Zone.base, name).scan().to_arrow().to_pylist()
    if args.field:
        rows = [r for r in rows if r["field"] == args.field]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return 0
    id_col = "person_id" if args.base == "population" else "org_id"
    out = [
        [
            r[id_col],
            r["field"],
            r["golden_value"],
            f"{r['golden_dataset']}#{r['golden_row_number']}",
            r["other_value"],
            f"{r['other_dataset']}#{r['other_row_number']}",
        ]
        for r in rows[: args.limit]
    ]
    print(render([id_col, "field", "golden value", "from", "other value", "from"], out))
    print(f"{len(rows):,} conflict(s)")
    return 0


def cmd_review_list(args) -> int:
    from jutong.base import review

    settings = get_settings()
    try:
        items = review.list_items(settings, base=args.base, status=args.status)
    except review.ReviewError as exc:
        print(f"jutong base review: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(
            json.dumps(
                [i.__dict__ | {"mentions": i.mentions} for i in items],
                ensure_ascii=False,
                indent=2,
                default=str,
            )
        )
        return 0
    rows = []
    for i in items:
        m, e = i.details.get("mention", {}), i.details.get("entity", {})
        rows.append(
            [
                i.id,
                i.base,
                covered_rows(i.mentions),
                i.entity_id,
                f"{i.match_probability:.3f}",
                " ".join(str(m.get(k) or "·") for k in ("m_name", "m_birth", "m_sex", "id17")),
                " ".join(str(e.get(k) or "·") for k in ("m_name", "m_birth", "m_sex", "id17")),
                i.status,
            ]
        )
    print(
        render(
            ["id", "base", "rows", "candidate", "p", "rows have", "candidate has", "status"],
            rows,
            right=(0,),
        )
    )
    print(
        f"{len(items):,} item(s) covering {sum(len(i.mentions) for i in items):,} row(s); "
        "one decision covers all rows of an item: jutong base review accept|reject ID --by NAME"
    )
    return 0


def covered_rows(mentions: list[str], shown: int = 3) -> str:
    """``dataset#row`` of the first rows an item covers (mention id: dataset|batch|row|role)
    and how many more."""
    where = []
    for m in mentions[:shown]:
        parts = m.split("|")
        where.append(f"{parts[0]}#{parts[2]}" if len(parts) == 4 else m)
    more = f" +{len(mentions) - shown}" if len(mentions) > shown else ""
    return ", ".join(where) + more


def _cmd_decide(decision: str):
    def run(args) -> int:
        from jutong.base import review
        from jutong.catalog.loader import load_catalog
        from jutong.governance.cases.actors import ActorError, parse_actor
        from jutong.governance.cases.model import CaseError

        try:
            settings = get_settings()
            role = department = None
            by = args.by
            if args.as_:  # who decides, in which role and department (the case rules say who)
                actor = parse_actor(args.as_, load_catalog(settings.catalog_dir).departments)
                role, department, by = actor.role.value, actor.department, by or actor.user
            item = review.decide(
                settings,
                args.id,
                decision,
                by=by or getpass.getuser(),
                note=args.note,
                role=role,
                department=department,
            )
        except (review.ReviewError, CaseError, ActorError) as exc:
            print(f"jutong base review: {exc}", file=sys.stderr)
            return 1
        n = len(item.mentions)
        print(
            f"review item {item.id}: {n:,} row(s) ({covered_rows(item.mentions)}) → "
            f"{item.entity_id} {item.status} by {item.decided_by}; the next build of "
            f"{item.base} applies it to all of them, and to rows that join them later"
        )
        return 0

    return run


def cmd_evaluate(args) -> int:
    from jutong.base.evaluate import EvaluationError, evaluate
    from jutong.base.evaluate import render as render_scores

    if args.adversarial:
        from jutong.synth.adversarial_eval import evaluate_adversarial
        from jutong.synth.adversarial_eval import render as render_adversarial

        matching = load_catalog(get_settings().catalog_dir).matching
        adv = evaluate_adversarial(
            people=args.people, orgs=args.orgs, seed=args.seed, matching=matching
        )
        print(render_adversarial(adv, as_json=args.json))
        return 0 if all(s.meets() for s in adv) else 1
    settings = get_settings()
    truth = Path(args.truth) if args.truth else _default_truth(settings)
    if truth is None:
        print(
            "jutong base evaluate: give --truth DIR (the truth/ folder jutong synth wrote)",
            file=sys.stderr,
        )
        return 2
    try:
        scores = evaluate(settings, truth)
    except EvaluationError as exc:
        print(f"jutong base evaluate: {exc}", file=sys.stderr)
        return 2
    print(render_scores(scores, as_json=args.json))
    return 0 if all(s.meets() for s in scores) else 1


def _default_truth(settings: Settings) -> Path | None:
    """The truth of the most recent demo province, when there is one."""
    found = sorted(
        (settings.home / "demo").glob("*/truth/records.parquet"),
        key=lambda p: p.stat().st_mtime,
    )
    return found[-1].parent if found else None


def register(sub: argparse._SubParsersAction) -> None:
    bp = sub.add_parser("base", help="base databases: population, legal entity, spatial, licences")
    bs = bp.add_subparsers(dest="base_command", metavar="COMMAND", required=True)
    b = bs.add_parser("build", help="build base databases from the staging zone now (Spark)")
    b.add_argument("base", nargs="?", default="all", choices=("all", *BASES))
    b.add_argument("--as-of", help="run date (YYYY-MM-DD; licence states are as of it)")
    b.add_argument("--json", action="store_true")
    b.set_defaults(func=cmd_build)
    s = bs.add_parser("status", help="entities, merges, conflicts, review queue, flags")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_status)
    sh = bs.add_parser("show", help="one golden record with its lineage")
    sh.add_argument("base", choices=ENTITY_BASES)
    sh.add_argument("id", help="person_id / org_id, or resident ID / credit code")
    sh.add_argument("--as-of", help="the record as it was on this date (history)")
    sh.set_defaults(func=cmd_show)
    c = bs.add_parser("conflicts", help="values departments disagree on")
    c.add_argument("base", choices=ENTITY_BASES)
    c.add_argument("--field")
    c.add_argument("--limit", type=int, default=50)
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_conflicts)

    rp = bs.add_parser("review", help="clerical review of grey-zone matches")
    rs = rp.add_subparsers(dest="review_command", metavar="COMMAND", required=True)
    rl = rs.add_parser("list", help="items waiting for a decision (one per rows x candidate)")
    rl.add_argument("--base", choices=ENTITY_BASES)
    rl.add_argument("--status", default="pending", help="pending | accepted | rejected")
    rl.add_argument("--json", action="store_true")
    rl.set_defaults(func=cmd_review_list)
    for name, decision in (("accept", "accepted"), ("reject", "rejected")):
        r = rs.add_parser(name, help=f"{name} one item (all its rows); the next build applies it")
        r.add_argument("id", type=int)
        r.add_argument("--by", help="who decides (default: the --as user, else you)")
        r.add_argument("--note", help="the reasons (same person, different persons, …)")
        r.add_argument(
            "--as",
            dest="as_",
            metavar="USER:ROLE@DEPT",
            help="the bureau's quality_owner or bureau_admin (default: the bureau's "
            "administrator; `jutong cases rules --flow review`)",
        )
        r.set_defaults(func=_cmd_decide(decision))

    ev = bs.add_parser(
        "evaluate", help="entity resolution: precision and recall against a synthetic truth"
    )
    ev.add_argument("--truth", help="the truth/ folder of a jutong synth province")
    ev.add_argument(
        "--adversarial",
        action="store_true",
        help="instead: the matcher on generated adversarial populations (twins, twin traps, "
        "mistyped IDs, namesakes, branch offices, legacy-code-only organisations)",
    )
    ev.add_argument("--people", type=int, default=2000, help="with --adversarial (default 2000)")
    ev.add_argument("--orgs", type=int, default=600, help="with --adversarial (default 600)")
    ev.add_argument("--seed", type=int, default=7, help="with --adversarial (default 7)")
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(func=cmd_evaluate)
