"""Reference models shipped with streamproc: real scikit-learn models on scikit-learn's bundled data."""

from streamproc.reference_models.diabetes import DiabetesModel
from streamproc.reference_models.iris import IrisModel

__all__ = ["DiabetesModel", "IrisModel"]
