"""The environment a bench ran in: CPUs, interpreter, library versions, broker and load generator."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import shutil
import subprocess
from pathlib import Path
from typing import Any

PACKAGES = (
    "streamproc",
    "faust-streaming",
    "aiokafka",
    "confluent-kafka",
    "fastavro",
    "pydantic",
    "aiohttp",
    "python-socketio",
    "pyzmq",
    "zerorpc",
    "scikit-learn",
    "numpy",
    "rest_model_service",
    "fastapi",
    "starlette",
    "uvicorn",
    "matplotlib",
)


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def load_generator() -> str:
    if shutil.which("wrk") is None:
        return f"aiohttp {_version('aiohttp')} client pool (wrk not installed)"
    result = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
    first = (result.stdout or result.stderr).splitlines()
    return first[0].split(" Copyright")[0] if first else "wrk"


def environment(broker: str) -> dict[str, Any]:
    import confluent_kafka

    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu_model": _cpu_model(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "broker": broker,
        "librdkafka": confluent_kafka.libversion()[0],
        "rest_load_generator": load_generator(),
        "versions": {name: _version(name) for name in PACKAGES},
    }
