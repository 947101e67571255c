"""Iris species classifier: logistic regression on the iris measurements scikit-learn bundles."""

from __future__ import annotations

from enum import StrEnum

import numpy as np
from pydantic import BaseModel, Field

from streamproc.reference_models._base import SklearnModel


class IrisModelInput(BaseModel):
    """Measurements of one iris flower, in centimetres."""

    # The data set spans 0.1–7.9 cm; the bounds (0, 10] leave room for unusual flowers.
    sepal_length: float = Field(
        ..., examples=[5.1], description="Length of the sepal in centimetres.", gt=0, le=10
    )
    sepal_width: float = Field(
        ..., examples=[3.5], description="Width of the sepal in centimetres.", gt=0, le=10
    )
    petal_length: float = Field(
        ..., examples=[1.4], description="Length of the petal in centimetres.", gt=0, le=10
    )
    petal_width: float = Field(
        ..., examples=[0.2], description="Width of the petal in centimetres.", gt=0, le=10
    )


class Species(StrEnum):
    """Iris species the model can predict."""

    setosa = "setosa"
    versicolor = "versicolor"
    virginica = "virginica"


class IrisModelOutput(BaseModel):
    """Predicted species of the flower."""

    species: Species = Field(..., description="Predicted iris species.")


class IrisModel(SklearnModel):
    """Predicts the species of an iris flower from its sepal and petal measurements."""

    display_name = "Iris Model"
    qualified_name = "iris_model"
    description = (
        "Predicts the species of an iris flower (setosa, versicolor or virginica) from the length and "
        "width of its sepal and petal in centimetres. A scikit-learn logistic regression trained on the "
        "150 flowers of Fisher's iris data set."
    )
    version = "0.1.0"
    input_schema = IrisModelInput
    output_schema = IrisModelOutput
    features = ("sepal_length", "sepal_width", "petal_length", "petal_width")

    _SPECIES = tuple(Species)
    _SPECIES_VALUES = np.array([species.value for species in Species], dtype=object)

    def _outputs(self, predictions: np.ndarray) -> list[IrisModelOutput]:  # type: ignore[override]
        return [IrisModelOutput(species=self._SPECIES[int(label)]) for label in predictions]

    def _output_columns(self, predictions: np.ndarray) -> dict[str, list[str]]:
        return {"species": self._SPECIES_VALUES[predictions.astype(int)].tolist()}
