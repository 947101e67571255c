"""Where the tests' broker comes from: the environment, Docker (testcontainers), or our local jars."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from streamproc.dev.localkafka import LocalKafka
from streamproc.dev.localkafka.ports import free_port
from streamproc.kafka.probe import broker_answers
from streamproc.settings import REPO_ROOT, StreamprocSettings

_reporter: Callable[[str], None] | None = None


def report_through(write_line: Callable[[str], None]) -> None:
    """Send progress lines to pytest's terminal reporter, which output capturing does not swallow."""
    global _reporter
    _reporter = write_line


def say(message: str) -> None:
    """Show progress (broker and worker start-up) in the `make test` output."""
    line = f"[streamproc tests] {message}"
    if _reporter is not None:
        _reporter(line)
    else:
        sys.__stderr__.write(line + "\n")


def _docker_answers() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env(timeout=2).ping()
    except Exception:
        return False
    return True


@contextmanager
def _testcontainers_kafka() -> Iterator[str]:
    from testcontainers.kafka import KafkaContainer

    with KafkaContainer("apache/kafka:4.2.0").with_kraft() as container:
        yield container.get_bootstrap_server()


@contextmanager
def own_local_kafka(data_dir: Path) -> Iterator[LocalKafka]:
    """A started local broker of the caller's own (free ports, own data); the caller may stop/start it."""
    settings = StreamprocSettings()
    broker = LocalKafka(
        REPO_ROOT / settings.state_dir,
        settings.kafka_version,
        port=free_port(),
        data_dir=data_dir,  # the controller port is picked free when port + 1 is taken
    )
    say(f"starting a local Apache Kafka {settings.kafka_version} broker at {broker.bootstrap} ...")
    status = broker.start()
    say(f"broker ready at {status.bootstrap} (pid {status.pid})")
    try:
        yield broker
    finally:
        broker.stop()
        say("local broker stopped")


@contextmanager
def _local_kafka(data_dir: Path) -> Iterator[str]:
    with own_local_kafka(data_dir) as broker:
        yield broker.bootstrap


@contextmanager
def provide_broker(data_dir: Path) -> Iterator[str]:
    """A bootstrap address of a real broker; raises (never skips) when none can be had."""
    configured = os.environ.get("STREAMPROC_BOOTSTRAP_SERVERS")
    if configured:
        if not broker_answers(configured, timeout=5):
            raise RuntimeError(f"STREAMPROC_BOOTSTRAP_SERVERS={configured} does not answer")
        say(f"using the configured broker at {configured}")
        yield configured
    elif _docker_answers():
        say("starting Kafka in Docker via testcontainers ...")
        with _testcontainers_kafka() as bootstrap:
            yield bootstrap
    else:
        with _local_kafka(data_dir) as bootstrap:
            yield bootstrap
