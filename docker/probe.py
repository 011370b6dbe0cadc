"""Healthcheck of the Jutong image's services (standard library only, nothing else imported):

    python docker/probe.py http://127.0.0.1:8080/api/v2/monitor/health   # HTTP status < 400
    python docker/probe.py tcp://127.0.0.1:8793                          # a port answering

Exits 0 when the target answers, 1 otherwise (the reason on stderr), as `jutong stack status`
judges the same processes on one machine: a port answering, an HTTP health endpoint.
"""

from __future__ import annotations

import socket
import sys
import urllib.error
import urllib.request
from urllib.parse import urlsplit


def probe(target: str, timeout: float = 5.0) -> str | None:
    """None when ``target`` answers, else why not."""
    parts = urlsplit(target)
    if parts.scheme == "tcp":
        if not parts.hostname or not parts.port:
            return f"{target}: expected tcp://HOST:PORT"
        try:
            with socket.create_connection((parts.hostname, parts.port), timeout=timeout):
                return None
        except OSError as err:
            return f"{target}: {err}"
    if parts.scheme in ("http", "https"):
        try:
            with urllib.request.urlopen(target, timeout=timeout) as resp:
                return None if resp.status < 400 else f"{target}: HTTP {resp.status}"
        except urllib.error.HTTPError as err:
            return f"{target}: HTTP {err.code}"
        except (OSError, ValueError) as err:
            return f"{target}: {err}"
    return f"{target}: unknown scheme (tcp://, http:// or https://)"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    reason = probe(argv[0])
    if reason:
        print(reason, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
