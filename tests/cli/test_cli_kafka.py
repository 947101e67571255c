"""`streamproc kafka start|status|stop` on a broker of its own: a real probe, a clean stop, no JVM left."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from confluent_kafka.admin import AdminClient

from streamproc.settings import REPO_ROOT
from tests.support.brokers import free_port

STREAMPROC = str(Path(sys.executable).parent / "streamproc")


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STREAMPROC_STATE_DIR": str(REPO_ROOT / ".streamproc")}
    return subprocess.run([STREAMPROC, *args], capture_output=True, text=True, timeout=timeout, env=env)


def test_start_prints_a_listable_bootstrap_then_stop_leaves_no_jvm(tmp_path: Path) -> None:
    port, data_dir = str(free_port()), str(tmp_path / "broker")
    started = cli("kafka", "start", "--port", port, "--data-dir", data_dir)
    assert started.returncode == 0, started.stderr
    bootstrap = started.stdout.strip()
    assert bootstrap == f"127.0.0.1:{port}"
    pid = int(started.stderr.split("pid ")[1].split(")")[0])
    try:
        metadata = AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=10)
        assert metadata.brokers, "the broker answered a metadata request with no brokers"
        again = cli("kafka", "start", "--port", port, "--data-dir", data_dir)
        assert again.stdout.strip() == bootstrap and "already running" in again.stderr
        status = cli("kafka", "status", "--port", port, "--data-dir", data_dir)
        assert status.returncode == 0 and "answering" in status.stdout
    finally:
        stopped = cli("kafka", "stop", "--port", port, "--data-dir", data_dir)
    assert stopped.stdout.strip() == "stopped"
    assert (
        not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split(")")[-1][:3]
    )
    after = cli("kafka", "status", "--port", port, "--data-dir", data_dir)
    assert after.returncode == 1 and after.stdout.strip() == "not running"


def test_missing_java_is_one_clear_sentence(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(Path(sys.executable).parent), "STREAMPROC_STATE_DIR": str(tmp_path)}
    result = subprocess.run(
        [STREAMPROC, "kafka", "start", "--port", str(free_port()), "--data-dir", str(tmp_path / "b")],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode != 0
    assert "'java' was not found: install Java 17" in result.stderr
