"""Topic names: a model's ``{prefix}.{qualified_name}.{major}.{minor}.inputs|outputs|errors``, and the
reply topic of a bridge instance ``{prefix}.replies.{instance}``."""

from __future__ import annotations

import re
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


REPLIES = "replies"
# A bridge instance id: no dots, so a reply topic can never be mistaken for a model topic.
_INSTANCE = re.compile(r"[A-Za-z0-9_-]{1,100}")


def reply_topic(prefix: str, instance_id: str) -> str:
    """``{prefix}.replies.{instance_id}``: the topic one bridge instance reads its replies from."""
    if not _INSTANCE.fullmatch(instance_id):
        raise ValueError(f"bridge instance id '{instance_id}' must match {_INSTANCE.pattern}")
    return f"{prefix}.{REPLIES}.{instance_id}"


def is_reply_topic(prefix: str, name: str) -> bool:
    """True when ``name`` has the shape of a reply topic of this prefix (it may still not exist)."""
    head = f"{prefix}.{REPLIES}."
    return name.startswith(head) and _INSTANCE.fullmatch(name[len(head) :]) is not None
