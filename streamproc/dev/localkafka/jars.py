"""Fetch the broker's runtime jars (and Kafka's command-line tools) with Maven into the state directory."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from streamproc.errors import ConfigurationError

POM = Path(__file__).with_name("pom.xml")
TOOLS_POM = Path(__file__).with_name("tools-pom.xml")
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies"
_COMPLETE = ".complete"


def require_tool(name: str, what: str) -> str:
    """Path of ``name`` on PATH, or a one-sentence ConfigurationError saying what to install."""
    path = shutil.which(name)
    if path is None:
        raise ConfigurationError(
            f"'{name}' was not found: install {what} to run the local Kafka broker, "
            "or set STREAMPROC_BOOTSTRAP_SERVERS to a broker you already run."
        )
    return path


def ensure_tools(tools_dir: Path, kafka_version: str) -> Path:
    """Resolve Kafka's tools (``kafka-tools`` and what it needs) into ``tools_dir``; return ``tools_dir``."""
    return ensure_jars(tools_dir, kafka_version, TOOLS_POM, "kafka-tools-*.jar")


def ensure_jars(
    libs_dir: Path, kafka_version: str, pom: Path = POM, expected: str = "kafka_2.13-*.jar"
) -> Path:
    """Resolve ``pom``'s jars into ``libs_dir`` unless a previous run completed; return ``libs_dir``."""
    if (libs_dir / _COMPLETE).exists():
        return libs_dir
    mvn = require_tool("mvn", "Maven (e.g. `apt-get install maven`)")
    libs_dir = libs_dir.resolve()  # Maven resolves relative paths against the pom's directory
    libs_dir.mkdir(parents=True, exist_ok=True)
    cmd = [
        mvn,
        "-q",
        "-B",
        "-f",
        str(pom),
        DEPENDENCY_PLUGIN,
        "-DincludeScope=runtime",
        f"-DoutputDirectory={libs_dir}",
        f"-Dkafka.version={kafka_version}",
    ]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).strip().splitlines()[-15:]
        raise ConfigurationError(
            f"Maven could not fetch Apache Kafka {kafka_version} jars:\n" + "\n".join(tail)
        )
    if not any(libs_dir.glob(expected)):
        raise ConfigurationError(f"Maven finished but no {expected} is in {libs_dir}")
    (libs_dir / _COMPLETE).write_text(kafka_version + "\n")
    return libs_dir
