"""Fetch the broker's runtime jars with Maven into the git-ignored state directory."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from streamproc.errors import ConfigurationError

POM = Path(__file__).with_name("pom.xml")
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


def ensure_jars(libs_dir: Path, kafka_version: str) -> Path:
    """Resolve the broker jars into ``libs_dir`` unless a previous run completed; return ``libs_dir``."""
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
        str(POM),
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
    if not any(libs_dir.glob("kafka_2.13-*.jar")):
        raise ConfigurationError(f"Maven finished but no Kafka jar is in {libs_dir}")
    (libs_dir / _COMPLETE).write_text(kafka_version + "\n")
    return libs_dir
