"""Peak resident memory of a process, as the kernel counts it (``VmHWM`` in /proc/PID/status)."""

from __future__ import annotations

from pathlib import Path


def peak_rss_mib(pid: int | None) -> float | None:
    """Peak resident set size of ``pid`` in MiB (None when the process is gone or unreadable)."""
    if pid is None:
        return None
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None
