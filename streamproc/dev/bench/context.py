"""What every bench phase shares: the plan, the broker, a work directory and the children started."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from streamproc.dev.bench.plan import BenchPlan
from streamproc.dev.processes import Children
from streamproc.settings import StreamprocSettings

IRIS = "iris_model"


@dataclass
class BenchContext:
    plan: BenchPlan
    bootstrap: str
    workdir: Path
    children: Children
    base: StreamprocSettings
    say: Callable[[str], None] = print
    peers: dict[str, str] = field(default_factory=dict)  # peer name -> its venv's interpreter (--peers)

    def settings(self, tag: str, engine: str = "batch") -> StreamprocSettings:
        """Settings of a fresh stack: a unique topic prefix and its own state dir, iris only."""
        state = self.workdir / f"state-{tag}"
        state.mkdir(parents=True, exist_ok=True)
        return self.base.model_copy(
            update={
                "bootstrap_servers": self.bootstrap,
                "topic_prefix": f"bench{uuid.uuid4().hex[:8]}{tag}",
                "topology": self.topology_file(engine),
                "state_dir": state,
            }
        )

    def broker_settings(self) -> StreamprocSettings:
        """The base settings on the bench's broker (for its admin and clients)."""
        return self.base.model_copy(update={"bootstrap_servers": self.bootstrap})

    def topology_file(self, engine: str = "batch") -> Path:
        path = self.workdir / f"topology-{engine}.yaml"
        if not path.exists():
            path.write_text(
                "models:\n  - class_path: streamproc.reference_models.iris.IrisModel\n"
                f"    engine: {engine}\n"
                f"    topics:\n      partitions: {self.plan.partitions}\n"
                f"    batch_size: {self.plan.batch_size}\n"
            )
        return path
