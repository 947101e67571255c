"""What the bench adds to child processes: a measuring child prints one line ``BENCH_JSON {...}``.

``run_json`` runs such a child to its end and returns that line; children are ``streamproc.dev.processes``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from streamproc.dev.processes import ChildFailedError, Children, command

RESULT_PREFIX = "BENCH_JSON "
tool = command  # an installed tool (faust, streamproc) of this virtualenv


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds ``pid`` has spent so far, all its threads (counted in clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def emit(result: Mapping[str, Any]) -> None:
    """What a measuring child prints last: its figures, one JSON line."""
    sys.stdout.write(RESULT_PREFIX + json.dumps(result) + "\n")
    sys.stdout.flush()


def python_module(module: str, *args: object, python: str | None = None) -> list[str]:
    return [python or sys.executable, "-m", module, *(str(a) for a in args)]


def run_json(
    children: Children,
    name: str,
    argv: list[str],
    env: Mapping[str, str] | None = None,
    timeout: float = 120.0,
) -> dict[str, Any]:
    """Run a measuring child to its end; its ``BENCH_JSON`` line, or ChildFailedError with its log."""
    children.spawn(name, argv, env)
    return result_of(children, name, timeout)


def result_of(children: Children, name: str, timeout: float) -> dict[str, Any]:
    """Wait for the running measuring child ``name`` to end; its ``BENCH_JSON`` line."""
    process = children.running[name]
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        children.stop(name)
        raise ChildFailedError(
            f"{name} did not finish within {timeout:.0f} s:\n{children.tail(name)}"
        ) from None
    finally:
        children.running.pop(name, None)
    for line in reversed(children.log(name).read_text(errors="replace").splitlines()):
        if line.startswith(RESULT_PREFIX):
            return dict(json.loads(line[len(RESULT_PREFIX) :]))
    raise ChildFailedError(f"{name} exited ({process.returncode}) without a result:\n{children.tail(name)}")
