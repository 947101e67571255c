"""Stopping child process groups: SIGTERM, then SIGKILL after a grace period (faust shutdown can hang)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess


def terminate(process: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """Stop ``process`` and its group (started with ``start_new_session=True``) and reap it."""
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
