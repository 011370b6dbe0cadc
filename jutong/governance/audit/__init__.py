"""The tamper-evident audit log of every hand-over and decision (GX-Dispatch art. 42:
谁提供谁负责，谁流转谁负责，谁使用谁负责; GX-Reg art. 24).

Events are append-only rows of ``audit_events``; each carries the SHA-256 of its canonical JSON
content and of the previous event's hash, so editing, deleting, inserting or reordering an
event breaks the chain (``verify``). A signed checkpoint of the chain head (Ed25519, key in
the key folder) is written outside the database, so truncating the tail is detected too.
"""

from jutong.governance.audit.chain import GENESIS, AuditEvent, event_hash
from jutong.governance.audit.checkpoint import Checkpoint, read_checkpoints, write_checkpoint
from jutong.governance.audit.log import append, events, head
from jutong.governance.audit.verify import VerifyReport, verify

__all__ = [
    "GENESIS",
    "AuditEvent",
    "Checkpoint",
    "VerifyReport",
    "append",
    "event_hash",
    "events",
    "head",
    "read_checkpoints",
    "verify",
    "write_checkpoint",
]
