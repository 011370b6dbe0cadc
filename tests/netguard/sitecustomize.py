"""Network guard for the isolated-network test: Python imports this module at start-up in
every process whose ``PYTHONPATH`` holds this folder (the command line, Spark's Python workers,
anything they start). An audit hook refuses every connection, datagram and name lookup that is
not loopback, and appends what was refused to the file ``NETGUARD_LOG`` names, so a
library that swallows the error and carries on is still caught.
"""

import ipaddress
import os
import socket
import sys

_LOG = os.environ.get("NETGUARD_LOG", "")
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
_LOCAL_NAMES.add(socket.gethostname().lower())  # /etc/hosts: this machine is loopback
_INET = (socket.AF_INET, socket.AF_INET6)
_LOOKUPS = {
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "socket.gethostbyname_ex",
    "socket.gethostbyaddr",
}


def _local(host) -> bool:
    if host is None:
        return True  # getaddrinfo(None, port): a local bind
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").lower()
    if host in _LOCAL_NAMES or host == "":
        return True
    try:
        ip = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified


def _refuse(event: str, host) -> None:
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} {event} {host!r} {' '.join(sys.argv)[:200]}\n")
    raise OSError(101, f"isolated network: {event} to {host!r} refused")


def _hook(event: str, args) -> None:
    if event in ("socket.connect", "socket.sendto"):
        sock, address = args[0], args[-1]
        if sock.family in _INET and not _local(address[0]):
            _refuse(event, address[0])
    elif event in _LOOKUPS and not _local(args[0]):
        _refuse(event, args[0])


sys.addaudithook(_hook)
