"""The one way to run child processes: spawn in their own process group logging to a file, wait for a real
probe, stop (SIGTERM, then SIGKILL after a grace period: faust shutdown can hang). Used by ``streamproc run``,
the benchmark and the tests.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from streamproc.errors import StreamprocError

BIN = Path(sys.executable).parent
PROBE_INTERVAL = 0.2  # seconds between two real readiness probes


class ChildFailedError(StreamprocError):
    """A child process exited, or did not become ready, when it should have been running."""


def command(name: str, *args: object) -> list[str]:
    """``name`` as installed next to this Python (the project's virtualenv), else looked up on PATH."""
    executable = BIN / name
    return [str(executable) if executable.exists() else name, *(str(a) for a in args)]


def worker_command(*extra: object) -> list[str]:
    """The worker's command line (``faust -A streamproc.app worker``); the one place it is written."""
    return command("faust", "-A", "streamproc.app", "worker", "-l", "info", *extra)


def spawn(argv: list[str], env: Mapping[str, str] | None, log: Path) -> subprocess.Popen[bytes]:
    """Start ``argv`` in a new process group, stdout and stderr appended to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(
            argv,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def terminate(process: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """Stop ``process`` and its group (started by ``spawn``) and reap it."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def tail(log: Path, lines: int = 40) -> str:
    if not log.exists():
        return "(no log)"
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def wait_until(
    process: subprocess.Popen[bytes], ready: Callable[[], bool], what: str, timeout: float, log: Path
) -> None:
    """Probe ``ready()`` until True; ChildFailedError (with the log's tail) if the child dies first."""
    name = log.stem
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ChildFailedError(f"{name} exited ({process.returncode}) before {what}; {log}:\n{tail(log)}")
        if ready():
            return
        time.sleep(PROBE_INTERVAL)
    raise ChildFailedError(f"{name} not ready ({what}) within {timeout:.0f} s; {log}:\n{tail(log)}")


class Children:
    """Named children logging to ``{log_dir}/{name}.log``; ``stop_all`` ends them in reverse order."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def log(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def spawn(
        self, name: str, argv: list[str], env: Mapping[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        process = self.running[name] = spawn(argv, env, self.log(name))
        return process

    def wait_until(self, name: str, ready: Callable[[], bool], what: str, timeout: float = 120.0) -> None:
        wait_until(self.running[name], ready, what, timeout, self.log(name))

    def pid(self, name: str) -> int | None:
        process = self.running.get(name)
        return process.pid if process is not None and process.poll() is None else None

    def stop(self, name: str, grace: float = 10.0) -> None:
        process = self.running.pop(name, None)
        if process is not None:
            terminate(process, grace)

    def stop_all(self) -> None:
        for name in reversed(list(self.running)):
            self.stop(name)

    def tail(self, name: str, lines: int = 30) -> str:
        return tail(self.log(name), lines)
