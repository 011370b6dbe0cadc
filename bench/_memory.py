"""Peak memory of a benchmark: this Python process and its Java children (the Spark JVM),
sampled from the operating system while the work runs."""

from __future__ import annotations

import resource
import threading
import time


class MemoryPeak(threading.Thread):
    """Samples the resident memory of this process and of its java child processes every
    0.2 s; ``reset()`` starts a new measurement (a stage of a pipeline)."""

    def __init__(self, interval: float = 0.2):
        super().__init__(daemon=True)
        self.interval = interval
        self.python = 0
        self.jvm = 0
        self.stop = False

    def reset(self) -> None:
        self.python = self.jvm = 0

    def run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self.stop:
            try:
                self.python = max(self.python, me.memory_info().rss)
                rss = sum(
                    c.memory_info().rss for c in me.children(recursive=True) if "java" in c.name()
                )
                self.jvm = max(self.jvm, rss)
            except Exception:  # noqa: BLE001 - a child may vanish while sampled
                pass
            time.sleep(self.interval)


def maxrss_mib() -> float:
    """This process's peak resident memory since it started (``ru_maxrss``), MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
