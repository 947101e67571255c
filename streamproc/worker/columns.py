"""Models that take and return columns: ``predict_columns``, an optional method a model may define.

``predict_columns(columns: dict[str, list]) -> dict[str, list]`` gets one list per input field (in the
input schema's field order, validated values) and returns one list per output field, each as long as the
inputs, holding the output schema's JSON values (enum members as their values). The worker then skips
the per-item pydantic objects on both sides and encodes each output row once per distinct row of labels.
"""

from __future__ import annotations

import logging
from typing import Any

from ml_base import MLModel
from pydantic import BaseModel

from streamproc.errors import MessageError, ModelError
from streamproc.wire.avro.codec import AvroCodec, RowEncoder

log = logging.getLogger(__name__)


class ColumnPredictor:
    """Predict with ``model.predict_columns`` and encode the outputs; None when the model cannot."""

    def __init__(self, model: MLModel, output_codec: AvroCodec) -> None:
        self._predict = getattr(model, "predict_columns", None)
        input_schema: type[BaseModel] = model.input_schema  # type: ignore[assignment]
        output_schema: type[BaseModel] = model.output_schema  # type: ignore[assignment]
        self._inputs = tuple(input_schema.model_fields)
        self._outputs = tuple(output_schema.model_fields)
        self._encoder = RowEncoder(output_codec, self._outputs)
        self.qualified_name = model.qualified_name

    @property
    def available(self) -> bool:
        return callable(self._predict)

    def predict_encoded(self, inputs: list[BaseModel]) -> list[bytes | MessageError] | None:
        """One encoded output (or its encoding error) per input; None: use the per-object path instead."""
        assert self._predict is not None
        columns = {name: [getattr(item, name) for item in inputs] for name in self._inputs}
        try:
            returned = self._predict(columns)
            outputs = [list(returned[name]) for name in self._outputs]
        except Exception as exc:
            log.info(
                "model %s: predict_columns failed on %d inputs (%r)", self.qualified_name, len(inputs), exc
            )
            return None
        if any(len(column) != len(inputs) for column in outputs):
            log.warning("model %s: predict_columns returned columns of the wrong length", self.qualified_name)
            return None
        return [self._encode(row) for row in zip(*outputs, strict=True)]

    def _encode(self, row: tuple[Any, ...]) -> bytes | MessageError:
        try:
            return self._encoder.encode(row)
        except MessageError as exc:
            return exc
        except Exception as exc:  # as the per-object path words it
            log.error(
                "model %s: encoding an output failed: %s: %s", self.qualified_name, type(exc).__name__, exc
            )
            return ModelError("the model's output could not be encoded (the worker logged the cause)")
