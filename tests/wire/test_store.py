"""SchemaStore: loads every committed .avsc, registers at runtime, names unknown fingerprints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from streamproc.errors import ConfigurationError, DeserializationError
from streamproc.settings import REPO_ROOT
from streamproc.wire.avro import framing
from streamproc.wire.avro.store import SchemaStore

SCHEMA = {"type": "record", "name": "A", "fields": [{"name": "x", "type": "long"}]}


def test_loads_every_committed_schema(committed_store: SchemaStore) -> None:
    files = sorted((REPO_ROOT / "schemas").rglob("*.avsc"))
    assert len(files) >= 6
    for path in files:
        fp = framing.fingerprint(json.loads(path.read_text()))
        assert fp in committed_store
        assert committed_store.get(fp)["type"] == "record"


def test_register_is_idempotent_and_returns_the_fingerprint() -> None:
    store = SchemaStore()
    fp = store.register(SCHEMA)
    assert fp == framing.fingerprint(SCHEMA)
    assert store.register(json.dumps(SCHEMA)) == fp
    assert len(store) == 1
    assert store.get(fp)["name"] == "A"


def test_two_versions_with_the_same_record_names_coexist() -> None:
    v2 = {**SCHEMA, "fields": [*SCHEMA["fields"], {"name": "y", "type": "string", "default": ""}]}
    store = SchemaStore([SCHEMA, v2])
    assert len(store) == 2


def test_unknown_fingerprint() -> None:
    with pytest.raises(DeserializationError, match="unknown schema fingerprint 0x7275d51a3f395c8f"):
        SchemaStore().get(framing.fingerprint("int"))


def test_broken_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "bad.avsc").write_text('{"type": "record", "name": "A"')
    with pytest.raises(ConfigurationError, match="bad.avsc"):
        SchemaStore.from_directory(tmp_path)


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        SchemaStore.from_directory(tmp_path / "nope")
