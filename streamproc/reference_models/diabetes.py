"""Diabetes progression regressor: ridge regression on scikit-learn's bundled diabetes data (raw units)."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field

from streamproc.reference_models._base import SklearnModel


class DiabetesModelInput(BaseModel):
    """Baseline measurements of one patient, in the units of the original study."""

    age: float = Field(..., examples=[59.0], gt=0, le=120, description="Age in years.")
    sex: int = Field(
        ..., examples=[2], ge=1, le=2, description="Sex, coded 1 or 2 as in the original data set."
    )
    bmi: float = Field(..., examples=[32.1], gt=0, le=100, description="Body mass index (kg/m²).")
    bp: float = Field(..., examples=[101.0], gt=0, le=300, description="Average blood pressure (mm Hg).")
    s1: float = Field(
        ..., examples=[157.0], gt=0, le=1000, description="tc: total serum cholesterol (mg/dL)."
    )
    s2: float = Field(
        ..., examples=[93.2], gt=0, le=1000, description="ldl: low-density lipoproteins (mg/dL)."
    )
    s3: float = Field(
        ..., examples=[38.0], gt=0, le=500, description="hdl: high-density lipoproteins (mg/dL)."
    )
    s4: float = Field(..., examples=[4.0], gt=0, le=50, description="tch: total cholesterol / HDL ratio.")
    s5: float = Field(
        ..., examples=[4.86], gt=0, le=20, description="ltg: natural log of serum triglycerides level."
    )
    s6: float = Field(..., examples=[87.0], gt=0, le=1000, description="glu: blood sugar level (mg/dL).")


class DiabetesModelOutput(BaseModel):
    """Predicted disease progression."""

    disease_progression: float = Field(
        ..., description="Quantitative measure of disease progression one year after baseline (about 25–350)."
    )


class DiabetesModel(SklearnModel):
    """Predicts diabetes progression one year ahead from ten baseline measurements."""

    display_name = "Diabetes Model"
    qualified_name = "diabetes_model"
    description = (
        "Predicts a quantitative measure of diabetes progression one year after baseline from age, sex, "
        "body mass index, blood pressure and six blood serum measurements (raw units). A scikit-learn "
        "ridge regression trained on the 442 patients of scikit-learn's diabetes data set."
    )
    version = "0.1.0"
    input_schema = DiabetesModelInput
    output_schema = DiabetesModelOutput
    features = ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")

    def _outputs(self, predictions: np.ndarray) -> list[DiabetesModelOutput]:  # type: ignore[override]
        return [DiabetesModelOutput(disease_progression=float(value)) for value in predictions]

    def _output_columns(self, predictions: np.ndarray) -> dict[str, list[float]]:
        return {"disease_progression": predictions.astype(float).tolist()}
