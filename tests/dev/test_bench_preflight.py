"""The bench checks what it needs before it starts anything, and says it in one message."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from streamproc.dev.bench import preflight as preflight_module
from streamproc.dev.bench.preflight import MissingBenchDependencyError, preflight


def test_missing_matplotlib_fails_at_once_naming_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "matplotlib" else real(name, *args)

    monkeypatch.setattr(preflight_module.importlib.util, "find_spec", find_spec)
    said: list[str] = []
    with pytest.raises(MissingBenchDependencyError, match=r"matplotlib .*pip install -e '\.\[bench\]'"):
        preflight(tmp_path, peers=True, say=said.append)
    assert not (tmp_path / "peers").exists()  # nothing was installed or started first
