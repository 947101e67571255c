"""What the broker JVM itself said went wrong, read from the part of its logs written since it started."""

from __future__ import annotations

from pathlib import Path

LOG_NAMES = ("server.log", "stdout.log")
_FAILURE_MARKS = (" ERROR ", "] ERROR", "FATAL", "Exception:", "Error:")


def log_sizes(logs: Path) -> dict[str, int]:
    """Where each log ends now, so a later read sees only what this run wrote."""
    return {name: (logs / name).stat().st_size if (logs / name).exists() else 0 for name in LOG_NAMES}


def jvm_failure(logs: Path, since: dict[str, int], lines: int = 6) -> str:
    """The first error lines this run logged (or its last lines when none is marked as an error)."""
    written: list[str] = []
    for name in LOG_NAMES:
        path = logs / name
        if path.exists():
            with path.open("rb") as handle:
                handle.seek(since.get(name, 0))
                written += handle.read().decode(errors="replace").splitlines()
    errors = [line.strip() for line in written if any(mark in line for mark in _FAILURE_MARKS)]
    chosen = list(dict.fromkeys(errors))[:lines] or [
        line.strip() for line in written[-lines:] if line.strip()
    ]
    return "\n".join(chosen) or "(the broker wrote no log)"
