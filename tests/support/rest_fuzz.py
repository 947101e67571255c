"""Run schemathesis (Python API) against a served OpenAPI document; return what it found.

Blocking (requests + hypothesis): call it through ``asyncio.to_thread`` when the server runs in the test's
event loop.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def fuzz(document: dict[str, Any], base_url: str, max_examples: int = 50) -> list[str]:
    """Positive and negative cases for every operation; one line per failing operation and mode."""
    schema = schemathesis.openapi.from_dict(document)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=max_examples,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case: Any) -> None:
                case.call_and_validate(base_url=base_url, checks=CHECKS, timeout=30)

            try:
                check()
            except Unsatisfiable:
                pass  # no negative case exists for an operation without inputs
            except Exception as exc:  # schemathesis raises a group of check failures
                failures.append(f"{operation.label} [{mode.value}]: {exc}")
    return failures
