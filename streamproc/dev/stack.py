"""The whole stack on one machine, for ``make run``: broker (if none answers), topics, worker, bridges.

Children run as subprocesses with logs in ``{state_dir}/logs``; readiness is probed for real (the
catalog lists the models, HTTP health answers, the RPC bridge printed its bound address). A child that
dies is started again after a backoff (1 s, doubling up to 30 s; reset once it has run for a minute).
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


RESTART_FIRST, RESTART_MAX, HEALTHY_AFTER = 1.0, 30.0, 60.0  # seconds


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    args: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    restarts: int = 0  # consecutive restarts of a child that did not stay up
    restart_at: float | None = None


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
        if broker_answers(bootstrap, timeout=2):
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
        child = Child(name, self._popen(args, log), log, args)
        self.children.append(child)
        return child

    def _popen(self, args: list[str], log: Path) -> subprocess.Popen[bytes]:
        executable = BIN / args[0]
        with log.open("ab") as out:
            return subprocess.Popen(
                [str(executable) if executable.exists() else args[0], *args[1:]],
                env={**os.environ, **self.settings.environment()},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def supervise(self) -> list[str]:
        """Schedule a restart of each child that died, and restart those whose backoff is over; say so."""
        now, said = time.monotonic(), []
        for child in self.children:
            if child.process.poll() is None:
                continue
            if child.restart_at is None:
                ran = now - child.started
                child.restarts = 0 if ran > HEALTHY_AFTER else child.restarts + 1
                delay = min(RESTART_FIRST * 2 ** max(child.restarts - 1, 0), RESTART_MAX)
                child.restart_at = now + delay
                said.append(
                    f"{child.name} exited ({child.process.returncode}) after {ran:.0f} s;"
                    f" restarting in {delay:.0f} s (log {child.log})"
                )
            elif now >= child.restart_at:
                child.process, child.started, child.restart_at = self._popen(child.args, child.log), now, None
                said.append(f"{child.name} restarted (pid {child.process.pid})")
        return said

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
