"""A real streamproc worker (the `faust` command in a subprocess) for a unique topic prefix."""

from __future__ import annotations

import os
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bridges.catalog import read_catalog
from streamproc.dev import processes
from streamproc.errors import BrokerUnavailableError
from streamproc.settings import StreamprocSettings
from tests.support.brokers import say

REFERENCE_MODELS = ("iris_model", "diabetes_model")


def unique_settings(bootstrap: str, state_dir: Path, **overrides: object) -> StreamprocSettings:
    prefix = f"sp{uuid.uuid4().hex[:8]}"
    return StreamprocSettings(
        bootstrap_servers=bootstrap, topic_prefix=prefix, state_dir=state_dir, **overrides
    )


def wait_for_models(
    settings: StreamprocSettings,
    models: tuple[str, ...],
    timeout: float,
    worker: subprocess.Popen[bytes] | None = None,
) -> None:
    """Until every model is in the catalog (the worker publishes it when it starts)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker is not None and worker.poll() is not None:
            raise RuntimeError(f"worker exited with {worker.returncode}")
        try:
            if set(models) <= set(read_catalog(settings, timeout=5)):
                return
        except BrokerUnavailableError:
            pass
    raise TimeoutError(f"models {models} did not appear in {settings.catalog_topic} within {timeout:.0f} s")


@contextmanager
def running_worker(
    settings: StreamprocSettings,
    log: Path,
    models: tuple[str, ...] = REFERENCE_MODELS,
    web: bool = False,
    env: dict[str, str] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """A worker; with ``web``, its web server (metrics, health) on ``settings.worker_web_port``."""
    args = processes.worker_command(*([] if web else ["--without-web"]))
    say(f"starting a streamproc worker for prefix {settings.topic_prefix} (log {log})")
    worker = processes.spawn(args, {**settings.environment(), **(env or {})}, log)
    try:
        wait_for_models(settings, models, timeout=120, worker=worker)
    except Exception as exc:
        processes.terminate(worker)
        raise RuntimeError(f"worker did not start: {exc}\n{processes.tail(log)}") from exc
    try:
        yield worker
    finally:
        processes.terminate(worker)


@contextmanager
def rest_bridge_process(
    settings: StreamprocSettings, log: Path
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A `streamproc serve rest` child on a free port: (process, its URL) once it listens."""
    env = settings.environment()
    if os.environ.get(
        "STREAMPROC_TEST_BRIDGE_PYTHONPATH"
    ):  # measure another checkout's bridge (before/after)
        env["PYTHONPATH"] = os.environ["STREAMPROC_TEST_BRIDGE_PYTHONPATH"]
    proc = processes.spawn(
        processes.command("streamproc", "serve", "rest", "--host", "127.0.0.1", "--port", "0"), env, log
    )
    try:
        banner = re.compile(r"listening on (http://\S+)")
        processes.wait_until(
            proc, lambda: banner.search(log.read_text(errors="replace")) is not None, "listening", 60, log
        )
        match = banner.search(log.read_text(errors="replace"))
        assert match is not None
        yield proc, match.group(1)
    finally:
        processes.terminate(proc)
