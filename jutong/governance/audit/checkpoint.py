"""Signed checkpoints of the audit chain's head, kept outside the database.

A checkpoint records ``(seq, hash)`` of the chain head at a moment, signed with the bureau's
Ed25519 key (``<key_dir>/audit_signing.key``, PKCS#8 PEM, mode 0600; created on first use).
The files go to ``<lake_root>/audit/checkpoints/`` (or a folder given by the caller — in production
a write-once location). ``verify`` checks each against the log: an event at or before a
checkpoint that changed, or a log that ends before it (its tail truncated), is detected even
when the attacker recomputed every hash in the database.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jutong.governance.audit.chain import canonical_json
from jutong.keyfiles import KeyFileError, create_secret_file, read_secret_file
from jutong.settings import Settings

KEY_FILE = "audit_signing.key"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    events: int
    at: str  # ISO, UTC
    key_id: str  # first 16 hex digits of the public key
    signature: str  # hex
    path: Path | None = None

    def signed_content(self) -> bytes:
        body = {
            "seq": self.seq,
            "hash": self.hash,
            "events": self.events,
            "at": self.at,
            "key_id": self.key_id,
        }
        return canonical_json(body).encode("utf-8")


def default_folder(settings: Settings) -> Path:
    return Path(settings.lake_root) / "audit" / "checkpoints"


def key_path(settings: Settings) -> Path:
    return Path(settings.key_dir) / KEY_FILE


def signing_key(settings: Settings, *, create: bool = False) -> Ed25519PrivateKey:
    """The audit signing key from the key folder (created when ``create`` and missing)."""
    path = key_path(settings)
    if not path.is_file():
        if not create:
            raise KeyFileError(
                f"no audit signing key: {path} does not exist (`jutong audit checkpoint` "
                "creates it; keep it outside the repository, mode 0600)"
            )
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        create_secret_file(path, pem)
    try:
        key = serialization.load_pem_private_key(read_secret_file(path), password=None)
    except ValueError as err:
        raise KeyFileError(f"{path}: not a PEM private key ({err})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: expected an Ed25519 key, got {type(key).__name__}")
    return key


def key_id(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw.hex()[:16]


def write_checkpoint(settings: Settings, folder: Path | None = None) -> Checkpoint:
    """Sign the chain head as it is now and write it to ``folder`` (atomically)."""
    from jutong.governance.audit.log import AuditChainError, head

    key = signing_key(settings, create=True)
    current = head(settings)
    if current is None:
        raise AuditChainError("the audit chain has no head row: run `jutong audit verify`")
    seq, digest = current
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds")
    unsigned = Checkpoint(seq, digest, seq, at, key_id(key), "")
    sig = key.sign(unsigned.signed_content()).hex()
    folder = folder or default_folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"checkpoint-{seq:010d}-{at.replace(':', '')}.json"
    doc = {**json.loads(unsigned.signed_content()), "signature": sig}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return Checkpoint(seq, digest, seq, at, key_id(key), sig, path)


def read_checkpoints(folder: Path) -> tuple[list[Checkpoint], list[str]]:
    """The checkpoints in ``folder`` (oldest first) and a problem line per unreadable file."""
    found: list[Checkpoint] = []
    problems: list[str] = []
    if not folder.is_dir():
        return found, problems
    for path in sorted(folder.glob("checkpoint-*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            found.append(
                Checkpoint(
                    int(doc["seq"]),
                    str(doc["hash"]),
                    int(doc["events"]),
                    str(doc["at"]),
                    str(doc["key_id"]),
                    str(doc["signature"]),
                    path,
                )
            )
        except (OSError, ValueError, KeyError, TypeError) as err:
            problems.append(f"checkpoint {path.name}: unreadable ({type(err).__name__}: {err})")
    return found, problems


def signature_ok(cp: Checkpoint, key: Ed25519PrivateKey) -> bool:
    try:
        key.public_key().verify(bytes.fromhex(cp.signature), cp.signed_content())
    except (InvalidSignature, ValueError):
        return False
    return True
