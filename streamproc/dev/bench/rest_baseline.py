"""Baseline for REST: ``rest_model_service`` 0.6 (PyPI) serving the same iris model under uvicorn.

It runs from this interpreter when ``rest_model_service`` is installed (the ``bench`` extra), else from
a venv created once under the state dir with the ordinary ``pip``. Its YAML configuration (a list of
model class paths) is generated into the bench's work directory.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from streamproc.dev.bench.procs import python_module
from streamproc.dev.processes import Children
from streamproc.settings import REPO_ROOT

NAME = "rest_model_service"
VERSION = "0.6.0"
IRIS_CLASS_PATH = "streamproc.reference_models.iris.IrisModel"
VENV_PACKAGES = [f"rest_model_service=={VERSION}", "ml-base", "scikit-learn", "joblib", "numpy", "pydantic"]


def baseline_python(state_dir: Path) -> str:
    """An interpreter that can import rest_model_service: ours, or a venv made for it."""
    if importlib.util.find_spec("rest_model_service") is not None:
        return sys.executable
    venv = (state_dir / "bench-rest-model-service").resolve()
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *VENV_PACKAGES], check=True, timeout=600)
    return str(python)


def write_config(workdir: Path) -> Path:
    config = workdir / "rest_config.yaml"
    config.write_text(
        "service_title: rest_model_service baseline (iris)\n"
        f"models:\n  - class_path: {IRIS_CLASS_PATH}\n    create_endpoint: true\n"
    )
    return config


def start_baseline(children: Children, workdir: Path, state_dir: Path, port: int) -> str:
    """Start the baseline service on 127.0.0.1:``port``; returns its base URL (not yet ready)."""
    python = baseline_python(state_dir)
    env = {"REST_CONFIG": str(write_config(workdir)), "PYTHONPATH": str(REPO_ROOT)}
    command = python_module(
        "uvicorn",
        "rest_model_service.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        port,
        "--log-level",
        "warning",
        "--no-access-log",
        python=python,
    )
    children.spawn(NAME, command, env)
    return f"http://127.0.0.1:{port}"


def installed_version(python: str) -> str:
    """``rest_model_service X.Y.Z`` as installed for ``python``."""
    code = "import importlib.metadata as m; print(m.version('rest_model_service'))"
    result = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60)
    return f"rest_model_service {result.stdout.strip() or 'unknown'}"
