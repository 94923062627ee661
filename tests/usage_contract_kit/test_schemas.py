"""OpenAPI 3.0 schemas compiled: the integer formats are ranges."""

from __future__ import annotations

from typing import Any

import pytest

from usage_contract_kit.schemas import compile_schema

INT32, INT64 = 2**31, 2**63
CASES: list[tuple[str, dict[str, Any], list[Any], list[Any]]] = [
    ("int32", {"type": "integer", "format": "int32"}, [0, -INT32, INT32 - 1], [INT32, -INT32 - 1]),
    ("int64", {"type": "integer", "format": "int64"}, [INT32, -INT64, INT64 - 1], [INT64, -INT64 - 1, 10**23]),
    ("narrower bounds kept", {"type": "integer", "format": "int32", "minimum": 0, "exclusiveMinimum": True,
                              "maximum": 10}, [1, 10], [0, 11, INT32]),
    ("wider bounds narrowed", {"type": "integer", "format": "int32", "minimum": -INT64, "maximum": INT64,
                               "exclusiveMaximum": True}, [INT32 - 1], [INT32, -INT32 - 1]),
    ("nullable", {"type": "integer", "format": "int32", "nullable": True}, [None, 5], [INT32]),
    ("not an integer schema", {"type": "number", "format": "int32"}, [INT64 * 2.0], []),
    ("a string named so", {"type": "string", "format": "int64"}, ["abc"], []),
    ("float and double unbounded", {"type": "number", "format": "double"}, [1e300], []),
]  # fmt: skip


@pytest.mark.parametrize(("name", "schema", "valid", "invalid"), CASES, ids=[case[0] for case in CASES])
def test_integer_formats_are_ranges(name: str, schema: dict[str, Any], valid: list[Any], invalid: list[Any]) -> None:
    validator = compile_schema(schema)
    assert [value for value in valid if not validator.is_valid(value)] == []
    assert [value for value in invalid if validator.is_valid(value)] == []


def test_a_value_out_of_range_is_named() -> None:
    problem = compile_schema({"type": "integer", "format": "int64"}).first_error(10**23)
    assert problem == ("", "100000000000000000000000 is greater than the maximum of 9223372036854775807")
