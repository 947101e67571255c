"""A new user's first hour, in a fresh virtualenv: `pip install -e .` of a clean copy of the repository,
`faust -A streamproc.app worker` and the README walk-through, with no `streamproc train` step.

The copy holds only the files git tracks (no trained artifacts, no state); pip installs from a local
wheelhouse (filled from the package index once), so a warm run takes a few minutes, not ten.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from streamproc.dev import processes
from streamproc.settings import REPO_ROOT, StreamprocSettings
from tests.support.stack import REFERENCE_MODELS, wait_for_models

pytestmark = pytest.mark.broker
INSTALL_TIMEOUT = 600
FILL_TIMEOUT = 1500
WHEELS = REPO_ROOT / ".streamproc" / "wheels"  # git-ignored, like the rest of the state directory
PIP_CACHE = REPO_ROOT / ".streamproc" / "pip-cache"
SETOSA = '{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}'
OUT_OF_RANGE = '{"sepal_length": 51, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}'


def clean_copy(destination: Path) -> Path:
    """The files git tracks, as a fresh clone has them (working-tree contents)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = REPO_ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def pip(venv: Path, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    command = [str(venv / "bin" / "pip"), *args, "--cache-dir", str(PIP_CACHE)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(the copy, its virtualenv's bin directory) after `python -m venv` and `pip install -e .`.

    Dependencies come from a wheelhouse in the state directory, filled from the package index the
    first time (or when the dependencies change), so the install itself takes about a minute.
    """
    root = tmp_path_factory.mktemp("fresh")
    copy = clean_copy(root / "streamproc")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    install = ("install", "-q", "--no-index", "--find-links", str(WHEELS), "-e", str(copy))
    installed = pip(venv, *install, timeout=INSTALL_TIMEOUT)
    if installed.returncode != 0:  # a cold or outdated wheelhouse: fill it from the package index
        filled = pip(
            venv, "wheel", "-q", "-w", str(WHEELS), str(copy), "setuptools>=68", "wheel", timeout=FILL_TIMEOUT
        )
        assert filled.returncode == 0, filled.stderr[-3000:]
        installed = pip(venv, *install, timeout=INSTALL_TIMEOUT)
    assert installed.returncode == 0, installed.stderr[-3000:]
    yield copy, venv / "bin"


@pytest.mark.timeout(FILL_TIMEOUT + 2 * INSTALL_TIMEOUT + 300)
def test_pip_install_then_the_worker_and_the_walkthrough_with_no_train_step(
    fresh: tuple[Path, Path], kafka_bootstrap: str, tmp_path: Path
) -> None:
    copy, bin_dir = fresh
    artifacts = copy / "streamproc" / "reference_models" / "artifacts"
    assert not list(artifacts.glob("*.joblib")), "the copy must start untrained, as a clone does"
    prefix = f"fresh{uuid.uuid4().hex[:8]}"
    env = {  # only what a user sets; no topology or schemas path from this checkout
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "STREAMPROC_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "STREAMPROC_TOPIC_PREFIX": prefix,
        "STREAMPROC_STATE_DIR": str(tmp_path / "state"),
    }
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith(("STREAMPROC_", "VIRTUAL_ENV"))}

    def user(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(bin_dir / "streamproc"), *args], input=stdin, capture_output=True, text=True,
            timeout=120, env={**clean_env, **env}, cwd=copy,
        )  # fmt: skip

    log = tmp_path / "worker.log"
    with log.open("ab") as out:
        worker = subprocess.Popen(
            [str(bin_dir / "faust"), "-A", "streamproc.app", "worker", "--without-web", "-l", "info"],
            env={**clean_env, **env}, cwd=copy, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        settings = StreamprocSettings(bootstrap_servers=kafka_bootstrap, topic_prefix=prefix)
        try:
            wait_for_models(settings, REFERENCE_MODELS, timeout=180, worker=worker)
        except Exception as exc:
            raise AssertionError(f"the fresh worker did not start: {exc}\n{processes.tail(log)}") from exc
        assert {p.name for p in artifacts.glob("*.joblib")} == {"iris_model.joblib", "diabetes_model.joblib"}

        sent = user("send", "iris_model", stdin=SETOSA + "\n")
        assert f"sent 1 message(s) to {prefix}.iris_model.0.1.inputs" in sent.stderr, sent.stderr
        received = user("receive", "iris_model", "--stream", "outputs", "--max", "1", "--timeout", "60")
        assert json.loads(received.stdout) == {"species": "setosa"}, received.stderr

        assert user("send", "iris_model", "--json", stdin=OUT_OF_RANGE + "\n").returncode == 0
        errors = user(
            "receive", "iris_model", "--stream", "errors", "--max", "1", "--timeout", "60", "--headers"
        )
        record = json.loads(errors.stdout)
        assert record["headers"]["error_type"] == "SCHEMA_ERROR", errors.stderr
        assert record["value"]["details"] == [
            {"location": "sepal_length", "message": "Input should be less than or equal to 10"}
        ]
    finally:
        processes.terminate(worker)
