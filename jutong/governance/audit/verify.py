"""Verifying the audit chain: recompute every hash, follow every link, check the checkpoints.

The report names the first bad event and why: its content does not match its hash (edited, or
moved from another place), its previous hash is not the hash of the event before it (an event
inserted, removed or reordered before it), a gap in the sequence (events deleted), a head row
that is ahead of the log (the tail deleted), or a signed checkpoint the log no longer matches
(the chain rewritten or truncated even with every hash recomputed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jutong.governance.audit.chain import GENESIS, AuditEvent, event_hash
from jutong.governance.audit.checkpoint import (
    Checkpoint,
    default_folder,
    key_path,
    read_checkpoints,
    signature_ok,
    signing_key,
)
from jutong.governance.audit.log import events, head
from jutong.settings import Settings


@dataclass
class VerifyReport:
    events: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS
    checkpoints: int = 0
    first_bad: int | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def bad(self, seq: int | None, message: str) -> None:
        if seq is not None and (self.first_bad is None or seq < self.first_bad):
            self.first_bad = seq
        self.problems.append(message)

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "events": self.events,
            "last_seq": self.last_seq,
            "last_hash": self.last_hash,
            "checkpoints": self.checkpoints,
            "first_bad": self.first_bad,
            "problems": self.problems,
            "warnings": self.warnings,
        }


def verify(settings: Settings, *, checkpoints: Path | None = None) -> VerifyReport:
    """Check the whole chain and the signed checkpoints in ``checkpoints`` (default folder)."""
    rep = VerifyReport()
    folder = checkpoints or default_folder(settings)
    cps, unreadable = read_checkpoints(folder)
    rep.problems.extend(unreadable)
    wanted = {cp.seq for cp in cps}
    hashes: dict[int, str] = {}  # only at the checkpoints' positions
    expected, prev = 1, GENESIS
    for ev in events(settings):
        rep.events += 1
        if ev.seq != expected:
            rep.bad(
                expected,
                f"event #{expected}"
                + (f"–#{ev.seq - 1}" if ev.seq - 1 > expected else "")
                + f": missing (the log jumps from #{expected - 1} to #{ev.seq}): deleted",
            )
        if event_hash(ev.prev_hash, ev.content()) != ev.hash:
            origin = _moved_from(ev)
            if origin is None:
                rep.bad(
                    ev.seq,
                    f"event #{ev.seq} ({ev.action} {ev.subject}): its content does not match "
                    "its hash: edited",
                )
            else:
                rep.bad(
                    min(ev.seq, origin),
                    f"event #{ev.seq} ({ev.action} {ev.subject}) was written as event "
                    f"#{origin}: events were inserted, deleted or reordered between "
                    f"#{min(ev.seq, origin)} and #{max(ev.seq, origin)}",
                )
        elif ev.prev_hash != prev and ev.seq == expected:
            rep.bad(
                ev.seq,
                f"event #{ev.seq} ({ev.action} {ev.subject}): its previous hash is not the "
                f"hash of event #{ev.seq - 1}: an event was inserted, replaced or reordered "
                "before it",
            )
        if ev.seq in wanted:
            hashes[ev.seq] = ev.hash
        prev, expected = ev.hash, ev.seq + 1
        rep.last_seq, rep.last_hash = ev.seq, ev.hash

    current = head(settings)
    if current is None:
        rep.bad(None, "the audit chain's head row is missing (deleted)")
    else:
        seq, digest = current
        if seq > rep.last_seq:
            rep.bad(
                rep.last_seq + 1,
                f"event #{rep.last_seq + 1}–#{seq}: missing: the chain head says the log has "
                f"{seq} event(s), it ends at #{rep.last_seq} (its tail was deleted)",
            )
        elif seq < rep.last_seq or digest != rep.last_hash:
            rep.bad(
                seq + 1 if seq < rep.last_seq else seq,
                f"the chain head (#{seq}) does not match the log's last event "
                f"(#{rep.last_seq}): events were appended or changed outside Jutong",
            )
    _check_checkpoints(settings, folder, cps, hashes, rep)
    return rep


def _moved_from(ev: AuditEvent, window: int = 50) -> int | None:
    """The position an event was written at, when it now sits at another one (nearby)."""
    for delta in range(1, window + 1):
        for seq in (ev.seq - delta, ev.seq + delta):
            if seq >= 1 and event_hash(ev.prev_hash, {**ev.content(), "seq": seq}) == ev.hash:
                return seq
    return None


def _check_checkpoints(
    settings: Settings,
    folder: Path,
    cps: list[Checkpoint],
    hashes: dict[int, str],
    rep: VerifyReport,
) -> None:
    if not cps:
        rep.warnings.append(
            f"no signed checkpoint in {folder}: a truncated tail cannot be detected "
            "(`jutong audit checkpoint` writes one; the demo and the SLA sweep write them)"
        )
        return
    if not key_path(settings).is_file():
        rep.warnings.append(
            f"{len(cps)} checkpoint(s) found but no signing key at {key_path(settings)}: "
            "their signatures cannot be checked"
        )
        key = None
    else:
        key = signing_key(settings)
    for cp in cps:
        rep.checkpoints += 1
        name = cp.path.name if cp.path else f"#{cp.seq}"
        if key is not None and not signature_ok(cp, key):
            rep.bad(None, f"checkpoint {name}: its signature is not valid (forged or edited)")
            continue
        if cp.seq > rep.last_seq:
            rep.bad(
                rep.last_seq + 1,
                f"checkpoint {name} (signed {cp.at}) covers {cp.seq} event(s) but the log "
                f"ends at #{rep.last_seq}: events #{rep.last_seq + 1}–#{cp.seq} were deleted",
            )
        elif cp.seq and hashes.get(cp.seq) != cp.hash:
            rep.bad(
                cp.seq,
                f"checkpoint {name} (signed {cp.at}): event #{cp.seq}'s hash differs from the "
                f"signed one: events at or before #{cp.seq} were changed since",
            )
