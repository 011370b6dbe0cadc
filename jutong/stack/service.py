"""The shape every service module fills: its ports, how it starts, stops and reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jutong.stack.common import ProcessStatus, StackDir


@dataclass
class Context:
    """What a service needs to start: the stack folder, every service's ports, options."""

    sd: StackDir
    ports: dict[str, int]
    options: dict[str, str] = field(default_factory=dict)

    def port(self, name: str) -> int:
        return self.ports[name]


class Service:
    """A service of the stack. ``ports`` names the ports it needs (``offsets``: a port whose
    port + offset must be free too)."""

    name: str = ""
    ports: tuple[str, ...] = ()
    offsets: dict[str, int] = {}

    def dir(self, ctx: Context) -> Path:
        return ctx.sd.service(self.name)

    def log(self, ctx: Context, process: str | None = None) -> Path:
        return self.dir(ctx) / "logs" / f"{process or self.name}.log"

    def pidfile(self, ctx: Context, process: str | None = None) -> Path:
        return self.dir(ctx) / f"{process or self.name}.pid"

    def status(self, ctx: Context) -> list[ProcessStatus]:
        raise NotImplementedError

    def running(self, ctx: Context) -> bool:
        """Every process alive and answering (a second ``up`` then reuses it)."""
        return all(p.healthy for p in self.status(ctx))

    def start(self, ctx: Context) -> None:
        raise NotImplementedError

    def stop(self, ctx: Context) -> str:
        raise NotImplementedError
