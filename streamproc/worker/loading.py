"""Load a topology model: import its class, build it with its configuration, check its version."""

from __future__ import annotations

import importlib

from ml_base import MLModel

from streamproc.errors import ModelLoadError
from streamproc.wire.topics import major_minor
from streamproc.worker.topology import ModelSpec


def load_model(spec: ModelSpec) -> MLModel:
    """Import ``spec.class_path`` and build it with ``spec.configuration``; ModelLoadError says why not."""
    module_name, _, class_name = spec.class_path.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise ModelLoadError(f"cannot import model class {spec.class_path}: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, MLModel)):
        raise ModelLoadError(f"{spec.class_path} is not an ml_base.MLModel subclass")
    try:
        model = cls(**spec.configuration)
    except Exception as exc:
        raise ModelLoadError(f"model {spec.class_path} failed to load: {exc}") from exc
    try:
        major_minor(model.version)
    except ValueError as exc:
        raise ModelLoadError(f"model {spec.class_path}: {exc}") from exc
    return model
