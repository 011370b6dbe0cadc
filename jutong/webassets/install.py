"""Copy vendored packages into a site's static folder (``<static>/<package>-<version>/...``,
each package with its licence). A file already there with the same bytes is left alone, so a
site rebuilt after every gate costs one comparison per file."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from jutong.webassets.packages import PACKAGES, VENDOR_DIR, Package


def _same(a: Path, b: Path) -> bool:
    return b.is_file() and a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()


def _copy(src: Path, dest: Path) -> bool:
    if _same(src, dest):
        return False
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.")
    os.close(fd)
    shutil.copyfile(src, tmp)
    os.replace(tmp, dest)  # a reader never sees half a file
    return True


def licence_files(package: Package) -> list[str]:
    """The licence file(s) kept beside a vendored package."""
    folder = VENDOR_DIR / package.folder
    return sorted(p.name for p in folder.iterdir() if p.is_file() and p.name.startswith("LICENSE"))


def copy_packages(static_dir: Path, packages: Iterable[Package] | None = None) -> list[Path]:
    """Copy ``packages`` (default: every vendored one) under ``static_dir``; the files written."""
    written = []
    for package in packages if packages is not None else PACKAGES.values():
        for rel in [*package.files, *licence_files(package)]:
            dest = static_dir / package.folder / rel
            if _copy(VENDOR_DIR / package.folder / rel, dest):
                written.append(dest)
    return written
