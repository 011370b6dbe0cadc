"""The landing folder as a boundary: which delivered files ingestion may take, and how.

- A file in ``landing/<department>/<dataset>/`` is *owned* by ingestion: once it is in the
  lake (or in quarantine) it is removed from landing.
- Symbolic links, and anything whose real path lies outside the landing folder, are never
  followed: ``discover`` leaves them out and ``take`` refuses them — nothing of the file they
  point at is read, so nothing of it can appear in a message.
- A file named on the command line that lies outside landing is the user's own: it is read
  (copied into the lake), never moved or deleted.
- A file is taken only when its size and modification time have been stable for the quiet
  period (``Settings.ingest_quiet_seconds``), and it is read from a copy whose checksum is
  compared with the delivered file's before anything is published (``jutong.ingest.core``).

A file that is not taken raises ``LandingError`` (a one-line message naming the file); it is
left where it is, untouched.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from jutong.catalog.model import CatalogEntry
from jutong.settings import Settings

log = logging.getLogger(__name__)

IGNORED_PREFIXES = (".", "_", "~$")
IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload", ".filepart")
COPY_CHUNK = 1 << 20


class LandingError(RuntimeError):
    """A delivered file that is not taken (missing, a link, outside landing, still being
    written); it is left where it is. The message is one line naming the file."""


class FileChangedError(LandingError):
    """The file changed while it was being ingested (or during its quiet period)."""


def landing_folder(settings: Settings, entry: CatalogEntry) -> Path:
    return settings.landing_dir / entry.department / entry.dataset


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _lexically_inside(path: Path, folder: Path) -> bool:
    return Path(os.path.abspath(path)).is_relative_to(os.path.abspath(folder))


def _show(settings: Settings, path: Path) -> str:
    """A file's name for messages: relative to the landing folder when it is in it."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(os.path.abspath(settings.landing_dir)))
    except ValueError:
        return str(path)


def discover(settings: Settings, entry: CatalogEntry) -> list[Path]:
    """Delivered files waiting in the dataset's landing folder, oldest first.

    Hidden files, files still being uploaded (``.part``, ``.tmp`` …), files not matching the
    catalog's ``file_pattern``, symbolic links and anything resolving outside the landing
    folder are left alone (links and escapes with a warning that names them).
    """
    folder = landing_folder(settings, entry)
    if not folder.is_dir():
        return []
    real_landing = _real(folder)
    if not real_landing.is_relative_to(_real(settings.landing_dir)) or folder.is_symlink():
        log.warning("%s: resolves outside the landing folder; not read", _show(settings, folder))
        return []
    files = []
    for p in folder.glob(entry.extract.file_pattern):
        if p.name.startswith(IGNORED_PREFIXES) or p.name.endswith(IGNORED_SUFFIXES):
            continue
        try:
            st = p.lstat()
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(st.st_mode):
            log.warning("%s: a symbolic link; links are never followed", _show(settings, p))
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        if not _real(p).is_relative_to(real_landing):
            log.warning("%s: resolves outside the landing folder; not read", _show(settings, p))
            continue
        files.append((st.st_mtime, p.name, p))
    return [p for _, _, p in sorted(files)]


@dataclass(frozen=True)
class Delivery:
    """A delivered file ingestion may read: where it is, whether it is owned (in landing, so
    removed once ingested) and its size and modification time when it was taken."""

    path: Path
    owned: bool
    size: int
    mtime_ns: int
    inode: int
    shown: str  # the name messages use

    @property
    def mtime(self) -> float:
        return self.mtime_ns / 1e9

    def _open(self) -> int:
        flags = os.O_RDONLY | (os.O_NOFOLLOW if self.owned else 0)
        return os.open(self.path, flags)

    def changed(self) -> bool:
        """Whether the file is no longer the one taken (size, mtime or inode differ, or gone)."""
        try:
            st = os.stat(self.path, follow_symlinks=not self.owned)
        except FileNotFoundError:
            return True
        return (st.st_size, st.st_mtime_ns, st.st_ino) != (self.size, self.mtime_ns, self.inode)

    def copy_to(self, target: Path) -> str:
        """Copy the file to ``target``; the SHA-256 of the bytes read. Raises FileChangedError
        when the file changed while it was copied."""
        h = hashlib.sha256()
        fd = self._open()
        with os.fdopen(fd, "rb") as src, open(target, "wb") as dst:
            while block := src.read(COPY_CHUNK):
                h.update(block)
                dst.write(block)
        if self.changed() or target.stat().st_size != self.size:
            target.unlink(missing_ok=True)
            raise self.changed_error("while it was copied")
        return h.hexdigest()

    def sha256(self) -> str:
        h = hashlib.sha256()
        with os.fdopen(self._open(), "rb") as src:
            while block := src.read(COPY_CHUNK):
                h.update(block)
        return h.hexdigest()

    def check_unchanged(self, sha256: str) -> None:
        """Before publishing: the delivered file is still exactly the copy that was read."""
        if self.changed() or self.sha256() != sha256:
            raise self.changed_error("while it was being ingested")

    def changed_error(self, when: str) -> FileChangedError:
        return FileChangedError(
            f"{self.shown}: changed {when} (still being written?); nothing published, "
            "the file is left where it is"
        )

    def remove(self) -> None:
        """Remove an owned file from landing once it is in the lake or in quarantine (never
        a file outside landing, never one that changed since it was taken)."""
        if not self.owned:
            return
        if self.changed():
            log.warning(
                "%s: changed after it was read; left in landing as a new delivery", self.shown
            )
            return
        self.path.unlink(missing_ok=True)


def take(settings: Settings, entry: CatalogEntry, path: Path | str) -> Delivery:
    """The delivered file at ``path``, once it may be read (see the module docstring)."""
    path = Path(path)
    shown = _show(settings, path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise LandingError(f"{shown}: no such file") from None
    in_landing = _lexically_inside(path, settings.landing_dir)
    if in_landing:
        if stat.S_ISLNK(st.st_mode):
            raise LandingError(f"{shown}: a symbolic link; links in landing are never followed")
        real = _real(path)
        if not (
            real.is_relative_to(_real(settings.landing_dir))
            and real.is_relative_to(_real(landing_folder(settings, entry)))
        ):
            raise LandingError(
                f"{shown}: not in this dataset's landing folder "
                f"({_show(settings, landing_folder(settings, entry))}/) once links are resolved;"
                " not read"
            )
    else:
        st = os.stat(path)  # the user's own file, named on the command line
    if not stat.S_ISREG(st.st_mode):
        raise LandingError(f"{shown}: not a regular file")
    st = _wait_until_quiet(path, st, settings.ingest_quiet_seconds, shown, follow=not in_landing)
    return Delivery(path, in_landing, st.st_size, st.st_mtime_ns, st.st_ino, shown)


def _wait_until_quiet(
    path: Path, st: os.stat_result, quiet: float, shown: str, *, follow: bool
) -> os.stat_result:
    """``st`` once the file's size and mtime have not changed for ``quiet`` seconds (waits
    out the rest of the period once); FileChangedError if they change meanwhile."""
    age = time.time() - st.st_mtime
    if age >= quiet:
        return st
    time.sleep(min(quiet, quiet - age))
    again = os.stat(path, follow_symlinks=follow)
    if (again.st_size, again.st_mtime_ns) != (st.st_size, st.st_mtime_ns):
        raise FileChangedError(
            f"{shown}: still being written (changed within the last {quiet:g} s); not taken, "
            "left where it is"
        )
    return again
