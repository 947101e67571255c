"""The committed ``schemas/`` tree: what it should contain, drift against it, and compatibility rules.

Layout: ``{qualified_name}/{version}/input.avsc|output.avsc`` per model version and
``streamproc/error_record.avsc``, ``streamproc/catalog_record.avsc``. Inside one major.minor (one set
of topics) a new schema must read data written with every committed one (inputs); outputs and the
streamproc records must also stay readable by old readers (both directions).
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from streamproc.wire.avro.compat import incompatibilities
from streamproc.wire.avro.generate import model_io_schemas, render
from streamproc.wire.topics import major_minor

REFERENCE_MODELS = (
    "streamproc.reference_models.iris:IrisModel",
    "streamproc.reference_models.diabetes:DiabetesModel",
)
RECORDS_DIR = "streamproc"


@dataclass(frozen=True)
class ModelSpec:
    """What schema generation needs to know about a model."""

    qualified_name: str
    version: str
    input_model: type[BaseModel]
    output_model: type[BaseModel]


def load_class(class_path: str) -> type:
    """Import ``package.module:Class`` or ``package.module.Class``."""
    module_name, _, attr = class_path.partition(":") if ":" in class_path else class_path.rpartition(".")
    return getattr(importlib.import_module(module_name), attr)  # type: ignore[no-any-return]


def describe(model: Any) -> ModelSpec:
    """ModelSpec of an MLModel instance, or of a class whose metadata are class attributes.

    A class that only defines them as properties is instantiated with no arguments.
    """
    names = ("qualified_name", "version", "input_schema", "output_schema")
    values = [getattr(model, name) for name in names]
    if isinstance(model, type) and any(isinstance(v, property) for v in values):
        return describe(model())
    return ModelSpec(*values)


def model_files(spec: ModelSpec) -> dict[str, dict[str, Any]]:
    input_schema, output_schema = model_io_schemas(
        spec.qualified_name, spec.version, spec.input_model, spec.output_model
    )
    base = f"{spec.qualified_name}/{spec.version}"
    return {f"{base}/input.avsc": input_schema, f"{base}/output.avsc": output_schema}


def record_files() -> dict[str, dict[str, Any]]:
    from streamproc.wire.catalog_record import catalog_record_avro_schema
    from streamproc.wire.error_record import error_record_avro_schema

    return {
        f"{RECORDS_DIR}/error_record.avsc": error_record_avro_schema(),
        f"{RECORDS_DIR}/catalog_record.avsc": catalog_record_avro_schema(),
    }


def expected_files(models: list[Any]) -> dict[str, dict[str, Any]]:
    """Relative path → schema of every file generation writes, for ``models`` plus the records."""
    files = record_files()
    for model in models:
        files.update(model_files(describe(model)))
    return files


def drift(schemas_dir: Path, expected: dict[str, dict[str, Any]]) -> list[str]:
    """Files that are missing or differ from what generation produces."""
    problems = []
    for relative, schema in sorted(expected.items()):
        path = schemas_dir / relative
        if not path.is_file():
            problems.append(f"{relative}: missing")
        elif path.read_text(encoding="utf-8") != render(schema):
            problems.append(f"{relative}: differs from the generated schema")
    return problems


def _committed_peers(schemas_dir: Path, relative: str) -> list[tuple[str, dict[str, Any]]]:
    """Committed schemas a new file must stay compatible with."""
    parts = relative.split("/")
    if parts[0] == RECORDS_DIR:
        candidates = [schemas_dir / relative]
    else:
        qualified_name, version, filename = parts
        candidates = [
            directory / filename
            for directory in sorted((schemas_dir / qualified_name).glob("*"))
            if directory.is_dir() and _same_major_minor(directory.name, version)
        ]
    return [
        (str(path.relative_to(schemas_dir)), json.loads(path.read_text(encoding="utf-8")))
        for path in candidates
        if path.is_file()
    ]


def _same_major_minor(a: str, b: str) -> bool:
    try:
        return major_minor(a) == major_minor(b)
    except ValueError:
        return False


def compatibility_problems(schemas_dir: Path, expected: dict[str, dict[str, Any]]) -> list[str]:
    """Why the new schemas would break readers or writers of committed ones (empty: safe to write)."""
    problems = []
    for relative, new in sorted(expected.items()):
        both_ways = not relative.endswith("/input.avsc")
        for old_relative, old in _committed_peers(schemas_dir, relative):
            problems += [
                f"{relative} cannot read data written with {old_relative}: {p}"
                for p in incompatibilities(new, old)
            ]
            if both_ways:
                problems += [
                    f"readers of {old_relative} cannot read data written with {relative}: {p}"
                    for p in incompatibilities(old, new)
                ]
    return problems


def write(schemas_dir: Path, expected: dict[str, dict[str, Any]]) -> list[str]:
    """Write every file that differs; return the relative paths written."""
    written = []
    for relative, schema in sorted(expected.items()):
        path = schemas_dir / relative
        text = render(schema)
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(relative)
    return written
