"""Secret files in the key folder (``settings.key_dir``): read and created safely.

A secret file must be readable by its owner only (mode 0600) and must not lie inside a git
working tree (secrets never in the repository). Used for the pseudonym keys of releases and
shares (``masking.keys``) and the audit log's signing key (``jutong.governance.audit``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class KeyFileError(RuntimeError):
    """A secret file is missing, unsafe or unreadable; the message names the file."""


def inside_git_tree(path: Path) -> Path | None:
    """The git working tree ``path`` lies in, or None."""
    for parent in [path.resolve().parent, *path.resolve().parents]:
        if (parent / ".git").exists():
            return parent
    return None


def read_secret_file(path: Path) -> bytes:
    """The bytes of a secret file, after checking it is outside git and private (0600)."""
    repo = inside_git_tree(path)
    if repo is not None:
        raise KeyFileError(
            f"{path}: key files must not be inside a git working tree ({repo}); "
            "set key_dir outside the repository"
        )
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyFileError(
            f"{path}: the key file is readable by others (mode {mode:04o}); chmod 600 it"
        )
    return path.read_bytes()


def create_secret_file(path: Path, content: bytes) -> bool:
    """Create ``path`` (mode 0600, its folder 0700) with ``content``; False if it exists
    already (then it is left as it is: another process may have just created it)."""
    repo = inside_git_tree(path)
    if repo is not None:
        raise KeyFileError(f"{path}: refusing to create a key inside the git working tree {repo}")
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as f:
        f.write(content)
    return True
