"""Spark's ``s3a://`` jars on this machine: ``hadoop-aws-3.3.1`` and
``aws-java-sdk-bundle-1.11.901``, taken from the ``sagemaker-pyspark==1.4.5`` sdist on PyPI
(Maven Central is not reachable here). Downloaded once at install time (``make stack-jars``,
with pip, the registry's ordinary client), checksums verified, the two jars kept in
``.tools/jars/``; never fetched when a job runs. A version mix (Hadoop 3.3 S3A on Hadoop 3.5
core): this machine's compromise only, see docs/stack.md.

    python -m jutong.stack.jars [--dest DIR] [--pip PIP]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

SDIST = "sagemaker-pyspark==1.4.5"
SDIST_FILE = "sagemaker_pyspark-1.4.5.tar.gz"
SDIST_SHA256 = "05ca2d5081d7138ce29a8fb0a9cba077f28c825288ed07aed46a82e63c0bf1fb"
JARS = {
    "hadoop-aws-3.3.1.jar": "6be50ad8a8b445d2802381b085b2a3ede5c29d353450a6a21f16b2fefa962b6e",
    "aws-java-sdk-bundle-1.11.901.jar": (
        "b87175b32a16544cc1b37cf40390eb375833e62bed67f8ce6cde4b7ad6429ead"
    ),
}
MEMBER = "sagemaker_pyspark-1.4.5/deps/jars/"


def default_dest(home: Path) -> Path:
    return home / ".tools" / "jars"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def installed(dest: Path) -> list[Path] | None:
    """The jars when present (size-checked; the checksum was checked at install), else None."""
    paths = [dest / name for name in JARS]
    return paths if all(p.is_file() and p.stat().st_size > 0 for p in paths) else None


def install(dest: Path, pip: list[str], echo=print) -> list[Path]:
    """Download the sdist with pip, verify it, extract and verify the two jars into ``dest``."""
    found = installed(dest)
    if found:
        return found
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest) as tmp:
        echo(f"downloading {SDIST} (sdist, about 180 MB) for its hadoop-aws jars …")
        proc = subprocess.run(
            [*pip, "download", "--no-deps", "--no-binary", ":all:", SDIST, "-d", tmp],
            capture_output=True,
            text=True,
        )
        sdist = Path(tmp) / SDIST_FILE
        if proc.returncode != 0 and not sdist.is_file():
            raise RuntimeError(f"pip download {SDIST} failed:\n{proc.stderr[-2000:]}")
        got = sha256(sdist)
        if got != SDIST_SHA256:
            raise RuntimeError(f"{SDIST_FILE}: sha256 {got}, expected {SDIST_SHA256}")
        with tarfile.open(sdist) as tar:
            for name, digest in JARS.items():
                member = tar.getmember(MEMBER + name)
                part = Path(tmp) / name
                with tar.extractfile(member) as src, open(part, "wb") as out:  # type: ignore[union-attr]
                    shutil.copyfileobj(src, out)
                if sha256(part) != digest:
                    raise RuntimeError(f"{name} in {SDIST_FILE}: checksum mismatch")
                part.replace(dest / name)
                echo(f"  {dest / name} (sha256 verified)")
    return [dest / name for name in JARS]


def main(argv: list[str] | None = None) -> int:
    from jutong.settings import _repo_root

    ap = argparse.ArgumentParser(
        prog="python -m jutong.stack.jars",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--dest", type=Path, help="default: <checkout>/.tools/jars")
    ap.add_argument(
        "--pip",
        default=f"{sys.executable} -m pip",
        help="the pip command (default: this interpreter's pip)",
    )
    args = ap.parse_args(argv)
    dest = args.dest or default_dest(_repo_root() or Path.cwd())
    try:
        install(dest, args.pip.split())
    except (RuntimeError, OSError, KeyError) as err:
        print(f"jutong.stack.jars: {err}", file=sys.stderr)
        return 1
    print(f"s3a jars in {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
