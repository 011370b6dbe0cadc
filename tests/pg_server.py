"""A private PostgreSQL cluster for the tests: started once per test session (on first use),
stopped at its end.

PostgreSQL's binaries (``$JUTONG_PG_BIN`` when set — only there —, else Debian's newest
``/usr/lib/postgresql/<major>/bin``, ``pg_config --bindir`` or ``initdb`` on the PATH) make a throw-away cluster in a temporary folder: ``initdb --auth=trust``,
then ``pg_ctl start`` bound to 127.0.0.1 on a free port with its socket in the same folder and
``fsync=off`` (about 0.6 s in all), its time zone Asia/Shanghai as on a bureau's server. ``initdb`` refuses to run as root: as root the cluster runs
as the ``postgres`` user (``runuser``), in a folder that user owns.

Without the binaries the tests that need PostgreSQL are skipped — loudly, saying how to install
them — unless ``CI_REQUIRE_POSTGRES`` is set (``.ci/run`` sets it): then they fail.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

INSTALL = "apt-get install postgresql"
SUPERUSER = "jutong"


def postgres_required() -> bool:
    return bool(os.environ.get("CI_REQUIRE_POSTGRES"))


def find_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, or None."""
    if os.environ.get("JUTONG_PG_BIN"):  # this folder, or none
        chosen = Path(os.environ["JUTONG_PG_BIN"])
        ok = (chosen / "initdb").is_file() and (chosen / "pg_ctl").is_file()
        return chosen if ok else None
    candidates: list[str] = []
    debian = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(debian)
    if pg_config := shutil.which("pg_config"):
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
            candidates.append(out.stdout.strip())
    if initdb := shutil.which("initdb"):
        candidates.append(str(Path(initdb).parent))
    for c in candidates:
        if c and (Path(c) / "initdb").is_file() and (Path(c) / "pg_ctl").is_file():
            return Path(c)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgError(RuntimeError):
    pass


class PgCluster:
    """One private cluster: ``start()``, ``create_database(name)``, ``url(name)``, ``stop()``."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="jutong-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        self._as_postgres = os.geteuid() == 0
        self._serial = 0

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if check and done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise PgError(
                f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip()}\n{log}"
            )
        return done

    @functools.cached_property
    def major(self) -> int:
        out = subprocess.run(
            [str(self.bindir / "pg_ctl"), "--version"], capture_output=True, text=True
        ).stdout  # "pg_ctl (PostgreSQL) 15.18 (Debian …)"
        words = out.split()
        return int(words[2].split(".")[0]) if len(words) > 2 and words[2][:1].isdigit() else 0

    def start(self) -> PgCluster:
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self.root.chmod(0o700)
        self._run(
            "initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
            "--locale=C", "--no-sync",
        )  # fmt: skip
        for _attempt in range(5):
            self.port = _free_port()
            opts = (
                f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
                # a bureau's server runs on Beijing time: a tz-aware datetime written to a
                # `timestamp` column would be shifted by 8 hours there, and the tests see it
                "-c timezone=Asia/Shanghai"
            )
            done = self._run(
                "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", opts, "-w", "-t", "30",
                "start", check=False,
            )  # fmt: skip
            if done.returncode == 0:
                return self
            time.sleep(0.2)  # the port was taken in between: another one
        raise PgError(f"PostgreSQL did not start: {self.log.read_text(errors='replace')[-2000:]}")

    def stop(self) -> None:
        if self.data.exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres", driver: str = "psycopg2") -> str:
        return f"postgresql+{driver}://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        """One statement outside a transaction (CREATE/DROP DATABASE) as the superuser."""
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres")
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(sql)
        finally:
            conn.close()

    def create_database(self, name: str | None = None, template: str | None = None) -> str:
        """A new empty database (or a copy of ``template``, which nobody may be connected to);
        returns its name."""
        self._serial += 1
        name = name or f"t{os.getpid()}_{self._serial}"
        clause = f" TEMPLATE {template}" if template else ""
        if template and self.major >= 15:
            clause += " STRATEGY FILE_COPY"  # faster than WAL_LOG for a small database
        self.execute(f'CREATE DATABASE "{name}"{clause}')
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, closing what is still connected to it (PostgreSQL 13+)."""
        force = " WITH (FORCE)" if self.major >= 13 else ""
        self.execute(f'DROP DATABASE IF EXISTS "{name}"{force}')
