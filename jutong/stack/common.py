"""What every service of the stack shares: its folders, ports, secrets and pid handling."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

HOST = "127.0.0.1"


class StackError(RuntimeError):
    """A service that could not be started or stopped; the message names it and its log."""


@dataclass
class ProcessStatus:
    """One process of a service as ``jutong stack status`` shows it."""

    service: str
    process: str
    pid: int | None
    port: int | None
    healthy: bool
    log: str
    detail: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


# ---- ports -----------------------------------------------------------------------------------
def port_open(port: int, host: str = HOST, timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


def port_free(port: int, host: str = HOST) -> bool:
    """Whether ``port`` can be bound on ``host`` now."""
    if not 0 < port < 65536:
        return False
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(taken: set[int], *, offset: int = 0, host: str = HOST) -> int:
    """A free port not in ``taken``; with ``offset``, ``port + offset`` is free too (services
    such as SeaweedFS open their gRPC port at port + 10000)."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((host, 0))
            port = s.getsockname()[1]
        if offset and port + offset > 65535:
            continue
        if port in taken or (offset and (port + offset in taken or not port_free(port + offset))):
            continue
        return port
    raise StackError("no free port found on 127.0.0.1")


def assign_ports(
    names: list[str],
    known: dict[str, int],
    *,
    configured: dict[str, int] | None = None,
    offsets: dict[str, int] | None = None,
    is_free: Callable[[int], bool] = port_free,
) -> dict[str, int]:
    """Ports for ``names``: a configured port first, else the one a previous ``up`` chose
    (``known``, kept so data and settings stay valid), else a free one. A known port now held
    by another program is replaced (the caller only assigns ports of services not running)."""
    configured = configured or {}
    offsets = offsets or {}
    out: dict[str, int] = {}
    taken = set(known.values()) | set(configured.values())
    for name in names:
        if name in configured:
            out[name] = configured[name]
        elif name in known and is_free(known[name]):
            out[name] = known[name]
        else:
            out[name] = free_port(taken | set(out.values()), offset=offsets.get(name, 0))
        taken.add(out[name])
    return out


# ---- pids ------------------------------------------------------------------------------------
def read_pid(pidfile: Path) -> int | None:
    """The pid in ``pidfile``, or None when the file is missing or not a pid."""
    try:
        text = pidfile.read_text().split()
    except (FileNotFoundError, PermissionError):
        return None
    if not text or not text[0].isdigit():
        return None
    return int(text[0])


def pid_alive(pid: int | None) -> bool:
    """Whether ``pid`` is a live process (a zombie counts as dead)."""
    if not pid or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def stop_pid(
    pid: int | None, *, group: bool = False, sig: int = signal.SIGTERM, timeout: float = 20.0
) -> str:
    """Stop ``pid`` (its process group with ``group``): ``sig`` first, SIGKILL after
    ``timeout`` seconds. Returns what was done, for the progress line."""
    if not pid_alive(pid):
        return "not running"
    assert pid is not None

    def send(s: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if group:
                os.killpg(pid, s)
            else:
                os.kill(pid, s)

    send(sig)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return "stopped"
        time.sleep(0.1)
    send(signal.SIGKILL)
    for _ in range(50):
        if not pid_alive(pid):
            break
        time.sleep(0.1)
    return f"killed after {timeout:.0f} s"


def stop_pids(pids: list[int | None], *, group: bool = False, timeout: float = 30.0) -> str:
    """Stop several processes at once: SIGTERM to all, then wait, SIGKILL what is left."""
    live = [p for p in pids if pid_alive(p)]
    if not live:
        return "not running"
    for pid in live:
        assert pid is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if group:
                os.killpg(pid, signal.SIGTERM)
            else:
                os.kill(pid, signal.SIGTERM)
    if wait_until(lambda: not any(pid_alive(p) for p in live), timeout, step=0.1):
        return "stopped"
    results = {stop_pid(p, group=group, sig=signal.SIGKILL, timeout=5) for p in live}
    return "stopped" if results <= {"not running"} else f"killed after {timeout:.0f} s"


def wait_until(check: Callable[[], bool], timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return check()


def tail(path: Path, lines: int = 20) -> str:
    """The last ``lines`` lines of a log file (empty when missing)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 64_000))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def spawn(argv: list[str], env: dict[str, str], log: Path, pidfile: Path, cwd: Path) -> int:
    """Start a long-running process in its own session (its pid is its process group),
    output appended to ``log``, pid written to ``pidfile``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    pidfile.write_text(f"{proc.pid}\n")
    return proc.pid


def venv_bin(name: str) -> str:
    """A program installed beside this interpreter (the project's environment)."""
    return str(Path(sys.executable).with_name(name))


# ---- the stack folder ------------------------------------------------------------------------
@dataclass
class StackDir:
    """``.stack/`` (or ``--dir``): one folder per service, secrets, ports and the profile."""

    root: Path
    home: Path  # the checkout: DAGs, catalog, the code executors import

    @property
    def secrets_dir(self) -> Path:
        """``secrets/``, readable by its owner only (0700)."""
        d = self.root / "secrets"
        d.mkdir(parents=True, exist_ok=True)
        os.chmod(d, 0o700)
        return d

    @property
    def ports_file(self) -> Path:
        return self.root / "ports.json"

    @property
    def settings_file(self) -> Path:
        return self.root / "jutong.toml"

    @property
    def rest_settings_file(self) -> Path:
        return self.root / "jutong-rest.toml"

    @property
    def env_file(self) -> Path:
        return self.root / "env"

    @property
    def catalog_file(self) -> Path:
        """The Iceberg catalog (``sql`` or ``rest``) the stack's Airflow and ``env`` use."""
        return self.root / "catalog"

    def service(self, name: str) -> Path:
        d = self.root / name
        (d / "logs").mkdir(parents=True, exist_ok=True)
        return d

    def secret(self, name: str, nbytes: int = 24) -> str:
        """A generated secret kept in ``secrets/<name>`` (mode 0600), created once."""
        path = self.secrets_dir / name
        if path.is_file():
            return path.read_text().strip()
        value = secrets.token_urlsafe(nbytes)
        write_private(path, value + "\n")
        return value

    def load_ports(self) -> dict[str, int]:
        try:
            data = json.loads(self.ports_file.read_text())
        except (FileNotFoundError, ValueError):
            return {}
        return {str(k): int(v) for k, v in data.items()}

    def save_ports(self, ports: dict[str, int]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.ports_file.write_text(json.dumps(ports, indent=2, sort_keys=True) + "\n")


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, 0o600)
