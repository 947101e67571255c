"""`faust -A streamproc.app agents` lists one Faust agent per agent-engine model, with its inputs topic."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from streamproc.dev import processes


def test_faust_agents_lists_the_agent_engine_models_only(tmp_path: Path) -> None:
    topology = tmp_path / "topology.yaml"
    topology.write_text(
        "models:\n"
        "  - class_path: streamproc.reference_models.iris.IrisModel\n"
        "    engine: agent\n"
        "  - class_path: streamproc.reference_models.diabetes.DiabetesModel\n"
    )
    env = {**os.environ, "STREAMPROC_TOPOLOGY": str(topology), "STREAMPROC_TOPIC_PREFIX": "agentlist"}
    result = subprocess.run(
        processes.command("faust", "-A", "streamproc.app", "agents"),
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [line for line in result.stdout.splitlines() if line.startswith("| @")]
    assert len(rows) == 1, result.stdout
    name, topic, help_text = (cell.strip() for cell in rows[0].strip("|").split("|"))
    assert name == "@model.iris_model"
    assert topic == "agentlist.iris_model.0.1.inputs"
    assert "iris_model" in help_text
