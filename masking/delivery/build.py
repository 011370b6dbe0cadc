"""``deliver``: build one delivery of a subscribed share request.

1. the request must be subscribed (``subscribed``, ``in_use`` or in a ``doubt``): a suspended,
   revoked or withdrawn request gets nothing more (GX-Dispatch art. 41, 45);
2. reads the approved items of the resource's table at its current snapshot — a department
   dataset's staging table, or one of the bureau's base and theme tables on the share list
   (``catalog/shared/``, GX-Reg art. 23; GX-Dispatch art. 25–26); nothing is delivered again
   when that snapshot was delivered already;
3. of a staging table keeps only rows of batches whose quality gate passed
   (``quality_gate_runs``) — a blocked batch's rows are counted as excluded, never delivered
   (base and theme tables are built from gated staging rows only);
4. masks each item with its share policy (``masking.policies``: display masks, keyed
   pseudonyms with a key of this request only, so two requesters cannot join on tokens; a
   base column by its catalog item, a mart column by its ``meta.masking``,
   ``masking.policies.shared``);
5. scans the columns the policy passes unmasked for personal identifiers (residual scan);
6. writes ``share.<request>`` (Iceberg, replaced as a whole) and the files
   (``masking.delivery.files``), and records the delivery with an audit event.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from jutong.catalog import Catalog, load_catalog
from jutong.governance.audit import log as audit
from jutong.governance.cases.model import CaseError
from jutong.governance.cases.queries import get_case, list_cases
from jutong.governance.db import engine, utcnow
from jutong.governance.schema import cases, share_deliveries
from jutong.lake import Lake, Zone
from jutong.quality.store import runs
from jutong.settings import Settings
from jutong.themes.project import project_dir
from masking.delivery.files import write_delivery
from masking.keys import ensure_demo_key, key_fingerprint, load_key
from masking.policies.catalog_items import policy_for_item
from masking.policies.model import PolicyError
from masking.policies.operators import apply_policies
from masking.policies.shared import policies_for_resource
from masking.release.residual import residual_scan

ACTIVE_STATES = ("subscribed", "in_use", "doubt")
KIND = "share_request"


class DeliveryError(CaseError):
    """A delivery refused; nothing was published. The message says why."""


@dataclass
class DeliveryResult:
    ref: str
    version: int
    rows: int
    excluded_rows: int
    path: Path | None
    share_table: str
    unchanged: bool = False
    manifest: dict = field(default_factory=dict)
    kind: str = "dataset"  # what the request reads: dataset | base | theme

    def summary(self) -> str:
        if self.unchanged:
            return f"{self.ref}: v{self.version} is current (source unchanged), nothing delivered"
        done = f"{self.ref} v{self.version}: {self.rows:,} row(s) delivered to {self.share_table}"
        if self.kind != "dataset":
            return f"{done} and {self.path} (from the bureau's {self.kind} table)"
        return (
            f"{done} and {self.path} ({self.excluded_rows:,} row(s) of batches not passed excluded)"
        )


def key_purpose(ref: str) -> str:
    """The pseudonym key of one request: tokens of two requests never match."""
    return "share_" + ref.lower().replace("-", "_")


def share_table_name(ref: str) -> str:
    return ref.lower().replace("-", "_")


def _last_delivery(conn: sa.Connection, seq: int):
    return conn.execute(
        sa.select(share_deliveries)
        .where(share_deliveries.c.case_seq == seq)
        .order_by(share_deliveries.c.version.desc())
        .limit(1)
    ).first()


def _passed_rows(table: pa.Table, passed: set[str]) -> tuple[pa.Table, int]:
    keep = pc.is_in(table.column("_batch_id"), value_set=pa.array(sorted(passed), pa.string()))
    kept = table.filter(keep)
    return kept.drop_columns(["_batch_id"]), table.num_rows - kept.num_rows


def _how_to_fill(resource) -> str:
    if resource.kind == "dataset":
        return f"ingest and standardize {resource.id} first"
    if resource.kind == "base":
        return f"build the {resource.base.value} base database first (jutong base build)"
    return "build the theme databases first (jutong themes build)"


def deliver(
    settings: Settings,
    ref: str,
    *,
    actor: str = "jutong",
    catalog: Catalog | None = None,
    lake: Lake | None = None,
    as_of: dt.date | None = None,
) -> DeliveryResult:
    """Build the next delivery of ``ref`` (see the module docstring)."""
    catalog = catalog or load_catalog(settings.catalog_dir)
    lake = lake or Lake(settings)
    case = get_case(settings, ref)
    if case.kind != KIND:
        raise DeliveryError(f"{case.ref}: not a share request")
    if case.state not in ACTIVE_STATES:
        raise DeliveryError(
            f"{case.ref}: {case.state}: only a subscribed request gets deliveries "
            "(a suspended or revoked one gets nothing more; GX-Dispatch art. 41, 45)"
        )
    try:
        resource = catalog.shareable(case.resource)
    except KeyError as exc:
        raise DeliveryError(f"{case.ref}: {exc.args[0]}") from None
    items: list[str] = list(case.data["items"])
    source_name = resource.source_table
    zone, table_name = source_name.split(".", 1)
    source = lake.table_or_none(Zone(zone), table_name)
    if source is None or source.current_snapshot() is None:
        raise DeliveryError(f"{case.ref}: {source_name} has no data yet ({_how_to_fill(resource)})")
    snapshot = source.current_snapshot().snapshot_id
    have = source.schema().column_names
    missing = [i for i in items if i not in have]
    if missing:
        raise DeliveryError(f"{case.ref}: {source_name} has no column(s) {missing}")
    with engine(settings).connect() as conn:
        seq = conn.execute(sa.select(cases.c.seq).where(cases.c.ref == case.ref)).scalar_one()
        last = _last_delivery(conn, seq)
    if last is not None and last.source_snapshot == snapshot and last.status == "active":
        return DeliveryResult(
            case.ref,
            last.version,
            last.rows,
            last.excluded_rows,
            Path(last.path),
            last.share_table,
            unchanged=True,
        )

    if resource.kind == "dataset":
        # a department's staging table: only the rows of batches the gate passed
        raw = source.scan(selected_fields=(*items, "_batch_id"), snapshot_id=snapshot).to_arrow()
        passed = {r.batch_id for r in runs(settings, resource.id) if r.status == "passed"}
        table, excluded = _passed_rows(raw, passed)
        policies = [policy_for_item(resource.item(i), "share", entry=resource) for i in items]
    else:
        # the bureau's base or theme table: built only from gated staging rows, audited by its
        # own write-audit-publish; each column under its share policy (masking.policies.shared)
        raw = source.scan(selected_fields=tuple(items), snapshot_id=snapshot).to_arrow()
        table, excluded = raw, 0
        try:
            policies = policies_for_resource(
                catalog, resource, items, project=project_dir(settings)
            )
        except PolicyError as exc:
            raise DeliveryError(f"{case.ref}: {exc}; nothing was delivered") from None
    purpose = key_purpose(case.ref)
    ensure_demo_key(settings, purpose)
    key = load_key(settings, purpose)
    masked = apply_policies(table, policies, key=key, as_of=as_of or dt.date.today())
    # columns the policy passes as they are must not hold identifiers it did not expect
    unmasked = [p.column for p in policies if p.action.value == "keep"]
    findings = residual_scan(
        masked.table.select([c for c in unmasked if c in masked.table.column_names]),
        {p.column: p.holds for p in policies},
    )
    if findings:
        f = findings[0]
        raise DeliveryError(
            f"{case.ref}: refused by the residual PII scan: {len(findings)} finding(s), first: "
            f"column '{f['column']}', row {f['row']}, {f['entity']}; nothing was delivered"
        )
    version = (last.version if last is not None else 0) + 1
    name = share_table_name(case.ref)
    share = lake.ensure_table(
        Zone.share, name, masked.table.schema, properties={"jutong.request": case.ref}
    )
    props = {
        "jutong.request": case.ref,
        "jutong.version": str(version),
        "jutong.source_snapshot": str(snapshot),
    }
    with warnings.catch_warnings():  # the first overwrite of the new table deletes nothing
        warnings.filterwarnings("ignore", "Delete operation did not match any records")
        share.overwrite(masked.table.cast(share.schema().as_arrow()), snapshot_properties=props)
    share_snapshot = lake.table(Zone.share, name).current_snapshot().snapshot_id
    manifest = {
        "request": case.ref,
        "version": version,
        "requester": case.requester,
        "provider": case.provider,
        "resource": resource.id,
        "resource_kind": resource.kind,
        "items": items,
        "purpose": case.data.get("purpose"),
        "until": case.data.get("until"),
        "use_conditions": case.data.get("use_conditions"),
        "source": {"table": source_name, "snapshot": snapshot},
        "share_table": {"table": f"share.{name}", "snapshot": share_snapshot},
        "rows": {
            "source": raw.num_rows,
            "excluded_not_passed": excluded,
            "delivered": masked.table.num_rows,
        },
        "masking": {p.column: p.describe() for p in policies},
        "key_fingerprint": key_fingerprint(key),
        "delivered_at": utcnow().isoformat(timespec="seconds"),
    }
    path, digest = write_delivery(settings, case.ref, version, masked.table, manifest)
    with engine(settings).begin() as conn:
        conn.execute(
            sa.insert(share_deliveries).values(
                case_seq=seq,
                version=version,
                status="active",
                rows=masked.table.num_rows,
                excluded_rows=excluded,
                source_table=source_name,
                source_snapshot=snapshot,
                share_table=f"share.{name}",
                share_snapshot=share_snapshot,
                path=str(path),
                sha256=digest,
                delivered_at=utcnow(),
                delivered_by=actor,
            )
        )
        audit.append(
            conn,
            actor=actor,
            department=case.provider,
            action=f"{KIND}.deliver",
            subject=case.ref,
            data={
                "version": version,
                "rows": manifest["rows"],
                "items": items,
                "source": manifest["source"],
                "sha256": digest,
                "path": str(path),
            },
        )
    return DeliveryResult(
        case.ref,
        version,
        masked.table.num_rows,
        excluded,
        path,
        f"share.{name}",
        manifest=manifest,
        kind=resource.kind,
    )


def deliver_all(settings: Settings, *, actor: str = "jutong") -> list[DeliveryResult]:
    """Deliver every subscribed request whose source changed since its last delivery."""
    catalog = load_catalog(settings.catalog_dir)
    lake = Lake(settings)
    out = []
    for case in list_cases(settings, kind=KIND, open_only=True):
        if case.state in ACTIVE_STATES:
            out.append(deliver(settings, case.ref, actor=actor, catalog=catalog, lake=lake))
    return out
