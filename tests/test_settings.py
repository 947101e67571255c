"""The one settings object: STREAMPROC_* variables in, the same variables out for child processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamproc.settings import StreamprocSettings


def test_environment_round_trips_every_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    original = StreamprocSettings(
        bootstrap_servers="10.0.0.1:9092,10.0.0.2:9092",
        topic_prefix="acme",
        schema_registry_url="mock://x",
        state_dir=tmp_path / "state",
        request_timeout=2.5,
        rest_port=18000,
    )
    for name, value in original.environment().items():
        monkeypatch.setenv(name, value)
    assert StreamprocSettings() == original
    assert original.environment()["STREAMPROC_STATE_DIR"] == str((tmp_path / "state").resolve())


def test_defaults_and_catalog_topic(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in StreamprocSettings().environment():
        monkeypatch.delenv(name, raising=False)
    settings = StreamprocSettings()
    assert settings.bootstrap_servers == "127.0.0.1:9092"
    assert settings.catalog_topic == "model_stream_processor.catalog"
    assert "STREAMPROC_SCHEMA_REGISTRY_URL" not in settings.environment()


def test_a_bad_value_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STREAMPROC_REST_PORT", "eighty")
    with pytest.raises(ValueError, match="rest_port"):
        StreamprocSettings()
