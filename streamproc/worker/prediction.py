"""Call a model: ``predict_batch`` when the model has it, else ``predict`` per item.

A failing batch is retried item by item, so one bad input never fails its neighbours.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from ml_base import MLModel
from ml_base.ml_model import MLModelSchemaValidationException
from pydantic import BaseModel

from streamproc.errors import FieldIssue, MessageError, ModelError, SchemaError

log = logging.getLogger(__name__)


def predict_many(model: MLModel, inputs: Sequence[BaseModel]) -> list[BaseModel | MessageError]:
    """One result per input, in order: the model's output, or the MessageError it caused."""
    if not inputs:
        return []
    predict_batch = getattr(model, "predict_batch", None)
    if predict_batch is not None:
        try:
            outputs = list(predict_batch(list(inputs)))
        except Exception as exc:
            log.info("predict_batch failed on %d inputs (%s); retrying one by one", len(inputs), exc)
        else:
            if len(outputs) == len(inputs):
                return outputs
            log.warning("predict_batch returned %d results for %d inputs", len(outputs), len(inputs))
    return [predict_one(model, item) for item in inputs]


def predict_one(model: MLModel, item: BaseModel) -> BaseModel | MessageError:
    try:
        return model.predict(item)  # type: ignore[no-any-return]
    except MLModelSchemaValidationException as exc:
        message = str(exc) or "input rejected by the model's validation"
        return SchemaError(message, details=[FieldIssue(location="__root__", message=message)])
    except Exception as exc:  # the model's own failure: its text, not Python's exception class name
        log.info("model %s failed on one input: %s: %s", model.qualified_name, type(exc).__name__, exc)
        return ModelError(
            f"the model failed on this input: {exc}" if str(exc) else "the model failed on this input"
        )


def output_dict(output: Any) -> dict[str, Any]:
    """A model output as a JSON-compatible dict (enums as values), ready for Avro encoding."""
    if isinstance(output, BaseModel):
        return output.model_dump(mode="json")
    if isinstance(output, dict):
        return output
    raise ModelError(f"model returned {type(output).__name__}, expected its output_schema (a pydantic model)")
