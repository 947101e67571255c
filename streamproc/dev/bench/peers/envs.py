"""The peers' virtualenvs under ``{state_dir}/peers/<name>``: created once with pip, by package name.

Each peer runs from its own interpreter, so its dependencies (MLServer pins its own FastAPI, uvloop,
pydantic ...) never touch streamproc's. scikit-learn is pinned to ours: every peer loads the same
fitted iris artifact. A venv is reused while its requirements are unchanged (a marker file says which).
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from streamproc.errors import StreamprocError

QUIX = "quixstreams"
MLSERVER = "mlserver"


def requirements() -> dict[str, list[str]]:
    sklearn = f"scikit-learn=={importlib.metadata.version('scikit-learn')}"
    return {
        QUIX: ["quixstreams==3.28.1", sklearn, "joblib"],
        # uvloop 0.22+ kills MLServer 1.7's parallel inference worker on this Python
        MLSERVER: ["mlserver==1.7.1", "mlserver-sklearn==1.7.1", "uvloop<0.22", sklearn],
    }


class PeerSetupError(StreamprocError):
    """A peer's venv could not be created (no network access to the package index, most often)."""


def peer_python(state_dir: Path, name: str, say: Callable[[str], None] = print) -> str:
    """The interpreter of peer ``name``'s venv, created (or brought up to date) first."""
    wanted = requirements()[name]
    venv = (state_dir / "peers" / name).resolve()
    python = venv / "bin" / "python"
    marker = venv / "streamproc-requirements.txt"
    if python.exists() and marker.exists() and marker.read_text().split("\n") == wanted:
        return str(python)
    say(f"peers: installing {' '.join(wanted)} into {venv} (once) ...")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *wanted],
            check=True,
            timeout=1200,
            capture_output=True,
            text=True,
        )
    except subprocess.CalledProcessError as exc:
        tail = "\n".join((exc.stderr or exc.stdout or "").splitlines()[-5:])
        raise PeerSetupError(f"could not install the {name} peer into {venv}:\n{tail}") from exc
    marker.write_text("\n".join(wanted))
    return str(python)
