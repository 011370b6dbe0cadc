"""Files a command writes: never over the file it reads.

``jutong pii mask IN OUT`` or ``jutong ids check IN --out OUT`` with ``OUT`` the input (by
another name, a link or a relative path) would destroy the delivered data the command was
asked to read; ``refuse_overwrite`` stops it before anything is written.
"""

from __future__ import annotations

import os
from pathlib import Path


class OverwriteError(ValueError):
    """An output path that is one of the command's inputs."""


def same_file(a: Path | str, b: Path | str) -> bool:
    """Whether two paths name one file (after links and ``..``; hard links included)."""
    a, b = Path(a), Path(b)
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet
        return False


def refuse_overwrite(inputs: Path | str | list[Path | str], output: Path | str | None) -> None:
    """Raise OverwriteError when ``output`` is one of ``inputs`` (nothing is written)."""
    if output is None or str(output) == "-":
        return
    for path in inputs if isinstance(inputs, list) else [inputs]:
        if same_file(path, output):
            raise OverwriteError(
                f"{output}: is the input file {path}; write the output to another file "
                "(the input is never overwritten)"
            )
