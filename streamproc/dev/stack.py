"""The whole stack on one machine, for ``make run``: broker (if none answers), topics, worker, bridges.

Children run as subprocesses with logs in ``{state_dir}/logs``; readiness is probed for real (the
catalog lists the models, HTTP health answers, the RPC bridge printed its bound address).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from streamproc.dev.localkafka import LocalKafka
from streamproc.dev.processes import terminate
from streamproc.errors import BrokerUnavailableError, ConfigurationError
from streamproc.kafka.probe import broker_answers
from streamproc.settings import StreamprocSettings

BIN = Path(sys.executable).parent


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log: Path


@dataclass
class Stack:
    settings: StreamprocSettings
    broker: LocalKafka | None = None
    children: list[Child] = field(default_factory=list)

    @property
    def logs(self) -> Path:
        path = (self.settings.state_dir / "logs").resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path

    def ensure_broker(self) -> str:
        bootstrap = self.settings.bootstrap_servers
        if broker_answers(self.settings, timeout=2):
            return f"{bootstrap} (already running)"
        local = f"127.0.0.1:{self.settings.kafka_port}"
        if bootstrap not in (local, f"localhost:{self.settings.kafka_port}"):
            raise BrokerUnavailableError(f"STREAMPROC_BOOTSTRAP_SERVERS={bootstrap} does not answer")
        self.broker = LocalKafka(
            self.settings.state_dir,
            self.settings.kafka_version,
            self.settings.kafka_port,
            self.settings.kafka_controller_port,
        )
        status = self.broker.start()
        return f"{status.bootstrap} (local Apache Kafka {self.settings.kafka_version}, pid {status.pid})"

    def spawn(self, name: str, args: list[str]) -> Child:
        log = self.logs / f"{name}.log"
        executable = BIN / args[0]
        with log.open("ab") as out:
            process = subprocess.Popen(
                [str(executable) if executable.exists() else args[0], *args[1:]],
                env={**os.environ, **self.settings.environment()},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        child = Child(name, process, log)
        self.children.append(child)
        return child

    def wait_until(self, child: Child, ready: object, what: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if child.process.poll() is not None:
                raise ConfigurationError(f"{child.name} exited ({child.process.returncode}); see {child.log}")
            if ready():  # type: ignore[operator]
                return
            time.sleep(0.2)  # poll interval between real probes
        raise ConfigurationError(
            f"{child.name} did not become ready ({what}) in {timeout:.0f} s; see {child.log}"
        )

    def dead_child(self) -> Child | None:
        return next((c for c in self.children if c.process.poll() is not None), None)

    def stop(self) -> None:
        for child in reversed(self.children):
            terminate(child.process, grace=10.0)
        self.children.clear()
        if self.broker is not None:
            self.broker.stop()
            self.broker = None


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def log_mentions(log: Path, text: str) -> bool:
    return log.exists() and text in log.read_text(errors="replace")
