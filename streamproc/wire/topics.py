"""Topic names of a model: ``{prefix}.{qualified_name}.{major}.{minor}.inputs|outputs|errors``."""

from __future__ import annotations

from dataclasses import dataclass

INPUTS = "inputs"
OUTPUTS = "outputs"
ERRORS = "errors"


def major_minor(version: str) -> str:
    """``'0.1.3'`` → ``'0.1'``."""
    parts = version.split(".")
    if len(parts) < 2 or not all(p.isdigit() for p in parts[:2]):
        raise ValueError(f"model version '{version}' is not a semantic version (major.minor.patch)")
    return f"{parts[0]}.{parts[1]}"


@dataclass(frozen=True)
class ModelTopics:
    inputs: str
    outputs: str
    errors: str

    @classmethod
    def for_model(cls, prefix: str, qualified_name: str, version: str) -> ModelTopics:
        base = f"{prefix}.{qualified_name}.{major_minor(version)}"
        return cls(inputs=f"{base}.{INPUTS}", outputs=f"{base}.{OUTPUTS}", errors=f"{base}.{ERRORS}")
