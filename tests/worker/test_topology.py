"""Topology files: the default one loads; a bad one fails naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamproc.errors import ConfigurationError
from streamproc.settings import REPO_ROOT
from streamproc.worker.topology import load_topology


def test_default_topology_hosts_both_reference_models_with_three_partitions() -> None:
    topology = load_topology(REPO_ROOT / "topology" / "default.yaml")
    paths = [m.class_path.rsplit(".", 1)[1] for m in topology.models]
    assert paths == ["IrisModel", "DiabetesModel"]
    assert all(m.topics.partitions == 3 for m in topology.models)
    assert topology.models[0].topics.kafka_configs() == {"retention.ms": "604800000"}
    assert [m.engine for m in topology.models] == ["batch", "batch"]
    agent = load_topology(REPO_ROOT / "topology" / "agent.yaml")
    assert [m.engine for m in agent.models] == ["agent", "agent"]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("models:\n  - class_path: a.B\n    batch_size: 0\n", "models.0.batch_size"),
        ("models:\n  - class_path: a.B\n    topics: {partitions: many}\n", "models.0.topics.partitions"),
        ("models:\n  - klass: a.B\n", "models.0.class_path"),
        ("models: []\n", "models"),
        ("models:\n  - class_path: a.B\n    engine: actor\n", "models.0.engine"),
    ],
)
def test_bad_topology_names_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigurationError) as info:
        load_topology(path)
    assert str(path) in str(info.value) and field in str(info.value)


def test_missing_and_unparsable_files_are_configuration_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_topology(tmp_path / "nope.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("models: [\n")
    with pytest.raises(ConfigurationError, match="not valid YAML"):
        load_topology(broken)
