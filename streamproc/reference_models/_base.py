"""Shared machinery of the reference models: artifact loading, input validation, vectorised predict."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import joblib
import numpy as np
from ml_base import MLModel
from ml_base.ml_model import MLModelSchemaValidationException
from pydantic import BaseModel, ValidationError

from streamproc.errors import ModelLoadError

ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"


def default_artifact_path(qualified_name: str) -> Path:
    return ARTIFACTS_DIR / f"{qualified_name}.joblib"


class SklearnModel(MLModel):
    """An MLModel around a fitted scikit-learn estimator stored with joblib.

    Subclasses set the metadata class attributes, the schemas and ``features`` (input field order).
    """

    display_name: ClassVar[str]  # type: ignore[misc]
    qualified_name: ClassVar[str]  # type: ignore[misc]
    description: ClassVar[str]  # type: ignore[misc]
    version: ClassVar[str]  # type: ignore[misc]
    input_schema: ClassVar[type[BaseModel]]  # type: ignore[misc]
    output_schema: ClassVar[type[BaseModel]]  # type: ignore[misc]
    features: ClassVar[tuple[str, ...]]

    def __init__(self, model_path: str | Path | None = None) -> None:
        """Load the fitted estimator; with no ``model_path``, train the default artifact if it is missing."""
        path = Path(model_path) if model_path else default_artifact_path(self.qualified_name)
        if not path.is_file() and not model_path:
            from streamproc.reference_models.training import train_model  # sklearn fit code, on demand

            train_model(self.qualified_name, path)
        if not path.is_file():
            raise ModelLoadError(
                f"{self.qualified_name}: trained model artifact {path} not found; "
                f"run `streamproc train --output-dir {path.parent}` to create it"
            )
        try:
            self._estimator = joblib.load(path)
        except Exception as exc:  # unpickling can fail in many ways
            raise ModelLoadError(f"{self.qualified_name}: cannot load {path}: {exc}") from exc

    def _validated(self, data: Any) -> BaseModel:
        if isinstance(data, self.input_schema):
            return data
        try:
            return self.input_schema.model_validate(data)
        except ValidationError as exc:
            raise MLModelSchemaValidationException(str(exc)) from exc

    def _matrix(self, items: list[BaseModel]) -> np.ndarray:
        return np.array([[getattr(item, name) for name in self.features] for item in items], dtype=float)

    def _outputs(self, predictions: np.ndarray) -> list[BaseModel]:
        raise NotImplementedError

    def _output_columns(self, predictions: np.ndarray) -> dict[str, list[Any]]:
        raise NotImplementedError

    def predict_columns(self, columns: dict[str, list[Any]]) -> dict[str, list[Any]]:
        """Predict from validated input columns (one list per feature); output columns of JSON values."""
        matrix = np.column_stack([np.asarray(columns[name], dtype=float) for name in self.features])
        return self._output_columns(self._estimator.predict(matrix))

    def predict(self, data: Any) -> BaseModel:
        """Validate ``data`` (an input_schema instance or a dict) and predict one output."""
        return self.predict_batch([data])[0]

    def predict_batch(self, data: list[Any]) -> list[BaseModel]:
        """Predict many inputs with one scikit-learn call."""
        if not data:
            return []
        items = [self._validated(item) for item in data]
        return self._outputs(self._estimator.predict(self._matrix(items)))
