"""OpenAPI schemas compiled: the numeric formats are ranges, in 3.0 and 3.1 alike."""

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
    ("float", {"type": "number", "format": "float"}, [3.4e38, -3.4e38, 0.5], [3.5e38, -1e39]),
    ("double: a JSON number's own range", {"type": "number", "format": "double"}, [1e300], []),
]  # fmt: skip
CASES_31: list[tuple[str, dict[str, Any], list[Any], list[Any]]] = [
    ("int32", {"type": "integer", "format": "int32"}, [0, -INT32, INT32 - 1], [INT32, -INT32 - 1]),
    ("int64", {"type": "integer", "format": "int64"}, [-INT64, INT64 - 1], [INT64, -INT64 - 1]),
    ("narrower bounds kept", {"type": "integer", "format": "int32", "exclusiveMinimum": 0, "maximum": 10},
     [1, 10], [0, 11]),
    ("a type list", {"type": ["integer", "null"], "format": "int32"}, [None, 5], [INT32]),
    ("nested", {"type": "array", "items": {"properties": {"n": {"type": "integer", "format": "int64"}}}},
     [[{"n": 1}]], [[{"n": INT64}]]),
    ("float", {"type": "number", "format": "float"}, [3.4e38], [3.5e38]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "schema", "valid", "invalid"), CASES, ids=[case[0] for case in CASES])
def test_integer_formats_are_ranges(name: str, schema: dict[str, Any], valid: list[Any], invalid: list[Any]) -> None:
    validator = compile_schema(schema)
    assert [value for value in valid if not validator.is_valid(value)] == []
    assert [value for value in invalid if validator.is_valid(value)] == []


@pytest.mark.parametrize(("name", "schema", "valid", "invalid"), CASES_31, ids=[case[0] for case in CASES_31])
def test_formats_are_ranges_in_3_1(name: str, schema: dict[str, Any], valid: list[Any], invalid: list[Any]) -> None:
    validator = compile_schema(schema, version="3.1.0")
    assert [value for value in valid if not validator.is_valid(value)] == []
    assert [value for value in invalid if validator.is_valid(value)] == []


RANGE_MESSAGES = [
    ("int64", {"type": "integer", "format": "int64"}, 10**23,
     "100000000000000000000000 is outside the range of int64 (-9223372036854775808 to 9223372036854775807)"),
    ("int32, below", {"type": "integer", "format": "int32", "minimum": 0}, -(2**40),
     "-1099511627776 is outside the range of int32 (-2147483648 to 2147483647)"),
    ("the schema's own bound, within the format's", {"type": "integer", "format": "int32", "maximum": 5}, 6,
     "6 is greater than the maximum of 5"),
    # YAML's .nan and .inf: the validator reads them as null, and its message named null.
    ("NaN", {"type": "number"}, float("nan"), "NaN is not a number JSON can hold"),
    ("infinity", {"type": "number", "maximum": 5}, float("inf"), "infinity is not a number JSON can hold"),
    ("minus infinity", {"type": "number"}, float("-inf"), "-infinity is not a number JSON can hold"),
]  # fmt: skip


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
@pytest.mark.parametrize(
    ("schema", "value", "message"), [c[1:] for c in RANGE_MESSAGES], ids=[c[0] for c in RANGE_MESSAGES]
)
def test_a_value_out_of_range_is_named(version: str, schema: dict[str, Any], value: float, message: str) -> None:
    assert compile_schema({"properties": {"n": schema}}, version=version).first_error({"n": value}) == ("/n", message)


def test_a_schema_the_validator_cannot_compile_is_named_in_one_line() -> None:
    # A $dynamicRef to a resource outside the document: the validator's message ran over five lines.
    schema = {"properties": {"a": {"$dynamicRef": "https://schemas.example.test/d.json#x"}}}
    with pytest.raises(
        ValueError, match=r"^not a valid schema: Resource 'https://schemas\.example\.test/d\.json' "
    ) as info:
        compile_schema(schema, version="3.1.0")
    assert "\n" not in str(info.value)
