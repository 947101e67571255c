"""Run streamproc and faust commands as real subprocesses, and always clean them up."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from streamproc.dev.processes import terminate

VENV_BIN = Path(sys.executable).parent


def start(args: list[str], env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start ``args`` (first item looked up next to this Python) logging to ``log``, in its own group."""
    executable = VENV_BIN / args[0]
    command = [str(executable) if executable.exists() else args[0], *args[1:]]
    with log.open("ab") as out:
        return subprocess.Popen(
            command, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(proc: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    terminate(proc, grace)


def tail(log: Path, lines: int = 40) -> str:
    if not log.exists():
        return "(no log)"
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
