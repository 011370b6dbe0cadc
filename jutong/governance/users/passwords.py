"""Password hashing with Argon2id (argon2-cffi; RFC 9106 low-memory parameters).

Only the encoded hash is stored (``$argon2id$v=19$m=…,t=…,p=…$salt$hash``); a hash made with
older parameters is re-hashed on the next successful login (``needs_rehash``).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10

_HASHER = PasswordHasher()  # argon2id, RFC 9106 "low memory" profile (64 MiB, t=3, p=4)


class PasswordError(ValueError):
    """A password that may not be used (too short, empty)."""


def check_strength(password: str) -> None:
    if not password or len(password) < MIN_LENGTH:
        raise PasswordError(f"a password needs at least {MIN_LENGTH} characters")
    if password.strip() != password:
        raise PasswordError("a password may not start or end with spaces")


def hash_password(password: str) -> str:
    check_strength(password)
    return _HASHER.hash(password)


def verify_password(encoded: str | None, password: str) -> bool:
    """Whether ``password`` matches ``encoded`` (False for a user without a password)."""
    if not encoded or not password:
        return False
    try:
        return _HASHER.verify(encoded, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(encoded: str) -> bool:
    return _HASHER.check_needs_rehash(encoded)
