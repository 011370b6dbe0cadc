"""PostgreSQL: a private cluster (initdb + pg_ctl) with databases ``iceberg``, ``airflow``
and ``governance``, each owned by a role of the same name with a generated password.

Connections are TCP on 127.0.0.1 only (no Unix socket), password-checked (scram-sha-256).
The passwords live in ``secrets/`` and in the pgpass file ``secrets/pgpass`` (``PGPASSFILE``),
so the URIs in the settings file carry no password. As root, the server runs as the
``postgres`` user (initdb refuses root): its folder is handed to that user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
from pathlib import Path

from jutong.stack.common import (
    HOST,
    ProcessStatus,
    StackError,
    pid_alive,
    port_open,
    read_pid,
    stop_pid,
    wait_until,
    write_private,
)
from jutong.stack.service import Context, Service

DATABASES = ("iceberg", "airflow", "governance")
SUPERUSER = "jutong"


def pg_bindir() -> Path:
    """The newest PostgreSQL server binaries (Debian layout), or those on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise StackError(
        "postgres: PostgreSQL server not found (no initdb): install it with "
        "'apt-get install -y postgresql' (as root)"
    )


def _version_key(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


def uri(ctx: Context, role: str, driver: str = "postgresql+psycopg2") -> str:
    """A password-free URI of ``role``'s database (the password comes from PGPASSFILE)."""
    return f"{driver}://{role}@{HOST}:{ctx.port('postgres')}/{role}"


def pgpass_file(ctx: Context) -> Path:
    return ctx.sd.secrets_dir / "pgpass"


def password(ctx: Context, role: str) -> str:
    return ctx.sd.secret(f"postgres-{role}")


class Postgres(Service):
    name = "postgres"
    ports = ("postgres",)

    def data(self, ctx: Context) -> Path:
        return self.dir(ctx) / "data"

    def status(self, ctx: Context) -> list[ProcessStatus]:
        pid = read_pid(self.data(ctx) / "postmaster.pid")
        port = ctx.ports.get("postgres")
        alive = pid_alive(pid)
        healthy = alive and port is not None and port_open(port)
        return [
            ProcessStatus(
                self.name, "postgres", pid if alive else None, port, healthy, str(self.log(ctx))
            )
        ]

    def _as_owner(self, argv: list[str]) -> list[str]:
        if os.geteuid() != 0:
            return argv
        return ["runuser", "-u", "postgres", "--", *argv]

    def _hand_over(self, path: Path) -> None:
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(path, pw.pw_uid, pw.pw_gid)

    def start(self, ctx: Context) -> None:
        bindir = pg_bindir()
        data = self.data(ctx)
        logs = self.log(ctx).parent
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise StackError("postgres: running as root needs the 'postgres' user") from None
            self._hand_over(logs)
            probe = subprocess.run(["runuser", "-u", "postgres", "--", "test", "-w", str(logs)])
            if probe.returncode != 0:
                raise StackError(
                    f"postgres: the user 'postgres' cannot write {logs}: every folder above "
                    "the stack folder must be searchable by it (chmod o+x), or use --dir"
                )
        if not (data / "PG_VERSION").is_file():
            self._initdb(ctx, bindir, data)
        log = self.log(ctx)
        if not log.exists():
            log.touch()
        self._hand_over(log)
        opts = (
            f"-p {ctx.port('postgres')} -c listen_addresses={HOST} "
            "-c unix_socket_directories='' -c fsync=off -c max_connections=200"
        )
        proc = subprocess.run(
            self._as_owner(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(log),
                    "-o",
                    opts,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise StackError(f"postgres: pg_ctl start failed: {proc.stdout}{proc.stderr}")
        if not wait_until(lambda: port_open(ctx.port("postgres")), 30):
            raise StackError("postgres: not answering on its port")
        self._ensure_databases(ctx)

    def _initdb(self, ctx: Context, bindir: Path, data: Path) -> None:
        data.mkdir(parents=True, exist_ok=True)
        os.chmod(data, 0o700)
        self._hand_over(data)
        # initdb reads the superuser's password from a file the server's user can read:
        # a short-lived copy next to the data folder, removed right after
        pwfile = self.dir(ctx) / ".initdb-pw"
        write_private(pwfile, password(ctx, SUPERUSER) + "\n")
        self._hand_over(pwfile)
        try:
            proc = subprocess.run(
                self._as_owner(
                    [
                        str(bindir / "initdb"),
                        "-D",
                        str(data),
                        "-U",
                        SUPERUSER,
                        f"--pwfile={pwfile}",
                        "--auth=scram-sha-256",
                        "-E",
                        "UTF8",
                        "--locale=C.UTF-8",
                        "--no-sync",
                    ]
                ),
                capture_output=True,
                text=True,
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if proc.returncode != 0:
            raise StackError(f"postgres: initdb failed: {proc.stdout[-1500:]}{proc.stderr[-1500:]}")

    def _ensure_databases(self, ctx: Context) -> None:
        """Roles and databases (idempotent) and the pgpass file."""
        import psycopg2  # the driver SQLAlchemy uses; imported when the stack starts

        conn = psycopg2.connect(
            host=HOST,
            port=ctx.port("postgres"),
            user=SUPERUSER,
            password=password(ctx, SUPERUSER),
            dbname="postgres",
        )
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                for role in DATABASES:
                    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
                    verb = "ALTER" if cur.fetchone() else "CREATE"
                    cur.execute(f'{verb} ROLE "{role}" LOGIN PASSWORD %s', (password(ctx, role),))
                    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (role,))
                    if not cur.fetchone():
                        cur.execute(f'CREATE DATABASE "{role}" OWNER "{role}"')
        finally:
            conn.close()
        lines = [
            f"{HOST}:{ctx.port('postgres')}:*:{role}:{password(ctx, role)}"
            for role in (*DATABASES, SUPERUSER)
        ]
        write_private(pgpass_file(ctx), "\n".join(lines) + "\n")

    def stop(self, ctx: Context) -> str:
        # fast shutdown (SIGINT: roll back open transactions, then exit), SIGKILL after 30 s
        pid = read_pid(self.data(ctx) / "postmaster.pid")
        return stop_pid(pid, sig=signal.SIGINT, timeout=30)
