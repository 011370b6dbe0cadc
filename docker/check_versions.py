"""Fail the image build when an installed version differs from the one the compose file names:

    python docker/check_versions.py pyspark=4.3.0 apache-airflow=3.3.2 celery=5.6.3

Each NAME=VERSION is compared with ``importlib.metadata.version(NAME)`` of this interpreter's
environment (the locked one). An empty VERSION (a build without the compose file's arguments)
is refused: the image must say which versions it holds.
"""

from __future__ import annotations

import importlib.metadata
import sys


def mismatches(pins: list[str]) -> list[str]:
    """What is wrong with each ``NAME=VERSION`` (empty when all match)."""
    problems = []
    for pin in pins:
        name, _, wanted = pin.partition("=")
        if not name or not wanted:
            problems.append(f"{pin!r}: expected NAME=VERSION (a build argument left empty?)")
            continue
        try:
            got = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            problems.append(f"{name}: not installed, expected {wanted}")
            continue
        if got != wanted:
            problems.append(f"{name}: installed {got}, the compose file names {wanted}")
    return problems


def main(argv: list[str]) -> int:
    problems = mismatches(argv)
    for p in problems:
        print(f"check_versions: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
