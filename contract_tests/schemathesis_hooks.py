"""Hooks for the plain schemathesis CLI (``SCHEMATHESIS_HOOKS=contract_tests.schemathesis_hooks``).

Schemathesis cannot read ``x-cross-parameter-rules``, so a schema-valid request whose
``endDate`` precedes its ``startDate`` looks like valid data that the API "rejected" with
its documented 422. This hook makes positive cases keep the spec's rules (it swaps an
offending pair); negative cases are left alone.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis.generation import GenerationMode

from contract_tests.core.variants import keep_rules


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    if case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE:
        keep_rules(case.operation.definition.raw.get("x-cross-parameter-rules", []), case.query)
    return case
