"""The bench's child processes: started in their own process group, logged to files, always stopped.

A child that reports figures prints one line ``BENCH_JSON {...}`` on stdout; ``run_json`` returns it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from streamproc.dev.processes import terminate

BIN = Path(sys.executable).parent
RESULT_PREFIX = "BENCH_JSON "


class ChildFailed(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def emit(result: Mapping[str, Any]) -> None:
    """What a measuring child prints last: its figures, one JSON line."""
    sys.stdout.write(RESULT_PREFIX + json.dumps(result) + "\n")
    sys.stdout.flush()


def python_module(module: str, *args: object, python: str | None = None) -> list[str]:
    return [python or sys.executable, "-m", module, *(str(a) for a in args)]


def tool(name: str, *args: object) -> list[str]:
    executable = BIN / name
    return [str(executable) if executable.exists() else name, *(str(a) for a in args)]


class Children:
    """Every process the bench started; ``stop_all`` ends them (process group, TERM then KILL)."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._running: dict[str, subprocess.Popen[bytes]] = {}

    def log(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def spawn(
        self, name: str, command: list[str], env: Mapping[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        with self.log(name).open("ab") as out:
            process = subprocess.Popen(
                command,
                env={**os.environ, **(env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self._running[name] = process
        return process

    def wait_until(self, name: str, ready: Callable[[], bool], what: str, timeout: float = 90.0) -> None:
        process = self._running[name]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ChildFailed(f"{name} exited ({process.returncode}) before {what}:\n{self.tail(name)}")
            if ready():
                return
            time.sleep(0.2)  # interval between real probes
        raise ChildFailed(f"{name} not ready ({what}) within {timeout:.0f} s:\n{self.tail(name)}")

    def run_json(
        self, name: str, command: list[str], env: Mapping[str, str] | None = None, timeout: float = 120.0
    ) -> dict[str, Any]:
        """Run a measuring child to its end; its ``BENCH_JSON`` line, or ChildFailed with its log."""
        process = self.spawn(name, command, env)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop(name)
            raise ChildFailed(f"{name} did not finish within {timeout:.0f} s:\n{self.tail(name)}") from None
        finally:
            self._running.pop(name, None)
        for line in reversed(self.log(name).read_text(errors="replace").splitlines()):
            if line.startswith(RESULT_PREFIX):
                return dict(json.loads(line[len(RESULT_PREFIX) :]))
        raise ChildFailed(f"{name} exited ({process.returncode}) without a result:\n{self.tail(name)}")

    def pid(self, name: str) -> int | None:
        process = self._running.get(name)
        return process.pid if process is not None and process.poll() is None else None

    def stop(self, name: str, grace: float = 10.0) -> None:
        process = self._running.pop(name, None)
        if process is not None:
            terminate(process, grace)

    def stop_all(self) -> None:
        for name in reversed(list(self._running)):
            self.stop(name)

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.log(name)
        if not path.exists():
            return "(no log)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
