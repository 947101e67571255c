"""A child's CPU time over a span of wall-clock time: sampled from /proc while it runs, read off afterwards.

The stream figures are spans between the first and last output timestamps, known only at the end; the
CPU the worker spent inside that span (start-up and group joins left out) is what one input costs it.
The machine's steal time over the span is sampled too: on a virtual machine whose host is oversubscribed,
the hypervisor runs other guests on our CPUs, and a run with much stolen time is slow for that reason.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from streamproc.dev.bench.procs import cpu_seconds

INTERVAL = 0.02  # seconds between samples


def machine_ticks() -> tuple[int, int]:
    """(steal, all) clock ticks of every CPU of this machine since boot (``/proc/stat``)."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return fields[7], sum(fields)


class CpuSampler(threading.Thread):
    """(wall time, CPU seconds, machine ticks) of process ``pid`` every 20 ms, until stopped or it ends."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True, name=f"cpu-sampler-{pid}")
        self.pid = pid
        self.samples: list[tuple[float, float]] = []
        self.machine: list[tuple[int, int]] = []  # (steal, all) ticks, one per sample
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(INTERVAL):
            try:
                self.samples.append((time.time(), cpu_seconds(self.pid)))
            except OSError:  # the process has ended
                return
            self.machine.append(machine_ticks())

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=1)

    def cpu_between(self, start: float, end: float) -> float | None:
        """CPU seconds spent between two Unix times (to within a sample either side); None if unsampled."""
        inside = [cpu for t, cpu in self.samples if start - INTERVAL <= t <= end + INTERVAL]
        return inside[-1] - inside[0] if len(inside) > 1 else None

    def steal_between(self, start: float, end: float) -> float | None:
        """The share of the machine's CPU time the hypervisor gave to others in the span, 0 to 1."""
        inside = [i for i, (t, _) in enumerate(self.samples) if start - INTERVAL <= t <= end + INTERVAL]
        if len(inside) < 2:
            return None
        (steal0, all0), (steal1, all1) = self.machine[inside[0]], self.machine[inside[-1]]
        return (steal1 - steal0) / (all1 - all0) if all1 > all0 else None
