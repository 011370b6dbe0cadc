"""Per-purpose secret keys for keyed pseudonyms (HMAC-SHA256).

A pseudonym is ``HMAC-SHA256(key_of_purpose, value)``: the same person gets the same token
within one purpose (one release, one share) and unrelated tokens in another purpose, so
releases cannot be joined with each other. A plain or unsalted hash of an ID number is
reversible by enumeration (about 3,300 candidates per birth date and county) and is never
used (docs/rules.md § Desensitization; PIPL art. 73: pseudonymized data is still personal
information).

Keys never live in the repository. They come, in this order, from

1. the environment variable ``JUTONG_KEY_<PURPOSE>`` (hex, at least 32 hex digits = 16 bytes);
2. the file ``<settings.key_dir>/<purpose>.key`` (hex), readable by its owner only (mode 0600)
   and outside any git working tree.

``ensure_demo_key`` creates a random local key file for the demo.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

from jutong.keyfiles import KeyFileError, create_secret_file, read_secret_file
from jutong.settings import Settings

PURPOSE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
MIN_KEY_BYTES = 16
KEY_BYTES = 32


class KeyError_(RuntimeError):  # noqa: N801 - do not shadow the builtin KeyError
    """A pseudonym key is missing or unusable; the message says where it was looked for."""


MissingKeyError = KeyError_


RESERVED = {"dir"}  # JUTONG_KEY_DIR is the key folder setting, not a key


def _check_purpose(purpose: str) -> str:
    if purpose in RESERVED:
        raise KeyError_(
            f"key purpose '{purpose}' is reserved (JUTONG_KEY_DIR names the key folder)"
        )
    if not PURPOSE.match(purpose):
        raise KeyError_(
            f"key purpose '{purpose}' must be lower-case letters, digits and _ "
            "(starting with a letter)"
        )
    return purpose


def env_var(purpose: str) -> str:
    """The environment variable that may hold the key of ``purpose``."""
    return f"JUTONG_KEY_{_check_purpose(purpose).upper()}"


def key_path(settings: Settings, purpose: str) -> Path:
    return Path(settings.key_dir) / f"{_check_purpose(purpose)}.key"


def _decode(text: str, where: str) -> bytes:
    text = text.strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise KeyError_(f"{where}: the key must be hexadecimal") from None
    if len(key) < MIN_KEY_BYTES:
        raise KeyError_(
            f"{where}: the key has {len(key)} bytes; at least {MIN_KEY_BYTES} are needed"
        )
    return key


def load_key(settings: Settings, purpose: str) -> bytes:
    """The secret key of ``purpose``; a missing or unsafe key is a clear ``KeyError_``."""
    var = env_var(purpose)
    if os.environ.get(var):
        return _decode(os.environ[var], f"environment variable {var}")
    path = key_path(settings, purpose)
    if not path.is_file():
        raise KeyError_(
            f"no key for purpose '{purpose}': set {var} (hex, {KEY_BYTES} bytes) or create "
            f"{path} (mode 0600, outside the repository); for a local demo, "
            f"`jutong release build` creates one with --demo-key"
        )
    try:
        text = read_secret_file(path).decode("ascii")
    except (KeyFileError, UnicodeDecodeError) as err:
        raise KeyError_(str(err)) from None
    return _decode(text, str(path))


def ensure_demo_key(settings: Settings, purpose: str) -> Path | None:
    """Create a random key file for ``purpose`` if there is no key yet (local demo only).

    Returns the key file, or None when the key comes from the environment."""
    if os.environ.get(env_var(purpose)):
        return None
    path = key_path(settings, purpose)
    if path.is_file():
        return path
    try:
        create_secret_file(path, (secrets.token_hex(KEY_BYTES) + "\n").encode("ascii"))
    except KeyFileError as err:
        raise KeyError_(str(err)) from None
    return path


def key_fingerprint(key: bytes) -> str:
    """A short public fingerprint of a key (for reports): tells keys apart, reveals nothing."""
    return hmac.new(key, b"jutong key fingerprint", hashlib.sha256).hexdigest()[:12]
