"""A secured local broker (``sasl_ssl`` or ``ssl``) on free ports, for the tests of Kafka security."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from streamproc.dev.localkafka import LocalKafka
from streamproc.settings import REPO_ROOT, StreamprocSettings
from tests.support.brokers import free_port, say

STREAMPROC = str(Path(sys.executable).parent / "streamproc")


@contextmanager
def secured_broker(mode: str, data_dir: Path) -> Iterator[LocalKafka]:
    """A local broker whose only client listener is ``mode``; its client settings are ``broker.client``."""
    defaults = StreamprocSettings(kafka_security_protocol="PLAINTEXT")
    broker = LocalKafka(
        REPO_ROOT / defaults.state_dir,
        defaults.kafka_version,
        port=free_port(),
        controller_port=free_port(),
        data_dir=data_dir,
        security=mode,
    )
    say(f"starting a {mode} local Kafka broker at {broker.bootstrap} ...")
    status = broker.start()
    say(f"{mode} broker ready at {status.bootstrap} (pid {status.pid})")
    try:
        yield broker
    finally:
        broker.stop()
        say(f"{mode} broker stopped")


def run_cli(
    settings: StreamprocSettings, *args: str, stdin: str = "", timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``streamproc ARGS`` with exactly ``settings`` in its environment (no stray STREAMPROC_* of ours)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("STREAMPROC_")}
    return subprocess.run(
        [STREAMPROC, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**base, **settings.environment()},
    )


def run_kafka_tool(settings: StreamprocSettings, *args: str) -> subprocess.CompletedProcess[str]:
    """``streamproc kafka tool ARGS`` against ``settings``' cluster, with the repo's downloaded tool jars."""
    with_jars = settings.model_copy(update={"state_dir": REPO_ROOT / ".streamproc"})
    return run_cli(with_jars, "kafka", "tool", *args, timeout=300)
