from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.core.parameters import (
    CoercionError,
    Invalid,
    coerce_planned,
    coerce_scalar,
    plan_parameters,
    validate_parameters,
)
from usage_contract_kit.model import Operation, Spec
from usage_contract_kit.spec import parse_document


def _operation(
    parameters: list[dict[str, Any]], rules: list[dict[str, Any]] | None = None, *, version: str = "3.0.3"
) -> Operation:
    op: dict[str, Any] = {"parameters": parameters, "responses": {"200": {"description": "ok"}}}
    if rules:
        op["x-cross-parameter-rules"] = rules
    path = "/x/{id}" if any(p["in"] == "path" for p in parameters) else "/x"
    document = {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": {path: {"get": op}}}
    spec: Spec = parse_document(document)
    return spec.operations[0]


def _query(name: str, schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema}


def _check(op: Operation, query: dict[str, list[str]], path: dict[str, str] | None = None) -> dict[str, Any] | Invalid:
    return validate_parameters(op, path=path or {}, query=query, headers={}, cookies={})


NUMBER = _operation([_query("n", {"type": "number"})])

VALID_NUMBERS = [("0", 0), ("-5", -5), ("12", 12), ("1.5", 1.5), ("1e3", 1000.0), ("-2.5E-3", -0.0025), ("007", 7)]


@pytest.mark.parametrize(("raw", "expected"), VALID_NUMBERS, ids=[v[0] for v in VALID_NUMBERS])
def test_numbers_are_coerced(raw: str, expected: float) -> None:
    assert _check(NUMBER, {"n": [raw]}) == {"n": expected}


NOT_NUMBERS = [
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "1e400",
    "0x1F",
    " 5",
    "5 ",
    "12abc",
    "+5",
    ".5",
    "5.",
    "1_000",
    "",
    "١٢",
    "true",
]


@pytest.mark.parametrize("raw", NOT_NUMBERS, ids=[repr(v) for v in NOT_NUMBERS])
def test_strings_that_are_not_numbers_are_rejected(raw: str) -> None:
    result = _check(NUMBER, {"n": [raw]})
    assert isinstance(result, Invalid)
    assert "query parameter 'n'" in result.message


INTEGER = _operation([_query("i", {"type": "integer"})])
INTEGERS = [("0", 0), ("-5", -5), ("007", 7), ("1735689600000", 1735689600000), ("9" * 299, int("9" * 299))]
NOT_INTEGERS = ["١٢", "+5", " 5", "5 ", "1.0", "1e3", "", "0x1F", "1_000", "-", "9" * 5000]


@pytest.mark.parametrize(("raw", "expected"), INTEGERS, ids=[v[0][:20] for v in INTEGERS])
def test_integers_are_coerced(raw: str, expected: int) -> None:
    assert _check(INTEGER, {"i": [raw]}) == {"i": expected}


@pytest.mark.parametrize("raw", NOT_INTEGERS, ids=[repr(v[:20]) for v in NOT_INTEGERS])
def test_strings_that_are_not_integers_are_rejected(raw: str) -> None:
    result = _check(INTEGER, {"i": [raw]})
    assert isinstance(result, Invalid)
    assert "query parameter 'i'" in result.message


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({}, "is required"),
        ({"n": ["1", "2"]}, "once, not 2 times"),
        ({"n": [""]}, "must not be empty"),
        ({"n": ["1e400"]}, "out of the range"),
        ({"n": ["abc"]}, "'abc' is not a number"),
    ],
    ids=["missing", "repeated", "empty", "overflow", "garbage"],
)
def test_messages_name_the_problem(query: dict[str, list[str]], fragment: str) -> None:
    result = _check(NUMBER, query)
    assert isinstance(result, Invalid)
    assert result.parameter == "n"
    assert fragment in result.message


SCHEMAS = [
    ({"type": "integer"}, "3", 3),
    ({"type": "integer"}, "3.5", None),
    ({"type": "boolean"}, "true", True),
    ({"type": "boolean"}, "yes", None),
    ({"type": "string", "enum": ["a", "b"]}, "a", "a"),
    ({"type": "string", "enum": ["a", "b"]}, "c", None),
    ({"type": "string", "pattern": "^[a-z]+$"}, "abc", "abc"),
    ({"type": "string", "pattern": "^[a-z]+$"}, "ABC", None),
    ({"type": "number", "minimum": 10}, "9", None),
    ({"type": "number", "maximum": 10}, "10", 10),
    ({"type": "number", "maximum": 10, "exclusiveMaximum": True}, "10", None),
    ({"type": "string", "minLength": 2}, "a", None),
    ({"type": "array", "items": {"type": "integer"}}, "1", [1]),
    ({"type": "integer", "nullable": True}, "null", None),
]


@pytest.mark.parametrize(("schema", "raw", "expected"), SCHEMAS, ids=[f"{s}-{r}" for s, r, _ in SCHEMAS])
def test_parameter_schemas_are_enforced(schema: dict[str, Any], raw: str, expected: Any) -> None:
    op = _operation([_query("p", schema)])
    result = _check(op, {"p": [raw]})
    if expected is None and not schema.get("nullable"):
        assert isinstance(result, Invalid), result
    else:
        assert result == {"p": expected}


def test_exploded_array_collects_repeated_values() -> None:
    op = _operation([_query("ids", {"type": "array", "items": {"type": "integer"}})])
    assert _check(op, {"ids": ["1", "2", "3"]}) == {"ids": [1, 2, 3]}


def test_optional_parameter_may_be_absent() -> None:
    op = _operation([_query("q", {"type": "string"}, required=False)])
    assert _check(op, {}) == {}


def test_path_parameters_are_validated() -> None:
    op = _operation([{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}])
    assert _check(op, {}, {"id": "7"}) == {"id": 7}
    result = _check(op, {}, {"id": "x"})
    assert isinstance(result, Invalid)
    assert result.message.startswith("path parameter 'id'")


RULE = [{"rule": "less-or-equal", "parameters": ["a", "b"], "message": "b must not be before a"}]
RANGE = _operation([_query("a", {"type": "number"}), _query("b", {"type": "number"})], RULE)


@pytest.mark.parametrize(
    ("a", "b", "ok"), [("1", "2", True), ("2", "2", True), ("3", "2", False), ("-1", "-1.5", False)]
)
def test_cross_parameter_rule(a: str, b: str, ok: bool) -> None:
    result = _check(RANGE, {"a": [a], "b": [b]})
    if ok:
        assert not isinstance(result, Invalid)
    else:
        assert isinstance(result, Invalid)
        assert "b must not be before a" in result.message
        assert result.parameter == "b"


@pytest.mark.parametrize(
    ("a", "b", "shown"),
    [
        ("1735689600000.5", "1735689600000.25", "(a=1735689600000.5, b=1735689600000.25)"),
        ("1.0000001", "1.00000001", "(a=1.0000001, b=1.00000001)"),
        ("5", "2", "(a=5, b=2)"),
    ],
    ids=["epoch-ms-fractions", "close-fractions", "integers"],
)
def test_a_broken_rule_shows_the_values_as_sent_apart(a: str, b: str, shown: str) -> None:
    # Six significant digits (``:g``) showed 1735689600000.5 and 1735689600000.25 both as 1.73569e+12.
    result = _check(RANGE, {"a": [a], "b": [b]})
    assert isinstance(result, Invalid)
    assert result.message.endswith(shown), result.message


@pytest.mark.parametrize("schema", [{"type": "integer"}, {"type": ["integer", "null"]}, {"type": "number"}])
def test_an_integer_longer_than_python_reads_is_a_coercion_error(schema: dict[str, Any]) -> None:
    with pytest.raises(CoercionError, match=r"more than an integer may have here|out of the range of a number"):
        coerce_scalar("9" * 5000, schema)


# Whether a parameter's schema asks nothing its coercion has not given (then it is not validated again).
TYPED = [
    ("3.0.3", {"type": "number"}, True),
    ("3.0.3", {"type": "integer"}, True),
    ("3.0.3", {"type": "string"}, True),
    ("3.0.3", {}, True),
    ("3.0.3", {"type": "string", "nullable": True}, True),
    ("3.0.3", {"type": "number", "description": "d", "title": "t", "example": 1, "default": 2, "x-unit": "ms"}, True),
    ("3.0.3", {"type": "number", "minimum": 0}, False),
    ("3.0.3", {"type": "integer", "enum": [1, 2]}, False),
    ("3.0.3", {"type": "string", "pattern": "^a"}, False),
    ("3.0.3", {"type": "string", "format": "date"}, False),
    ("3.0.3", {"type": "string", "maxLength": 3}, False),
    ("3.0.3", {"type": "boolean"}, True),
    ("3.0.3", {"type": "integer", "nullable": True}, True),
    ("3.0.3", {"nullable": True}, True),
    ("3.0.3", {"type": "array", "items": {"type": "string"}}, False),
    ("3.1.0", {"type": ["integer", "null"]}, True),
    ("3.1.0", {"type": ["integer", "string"]}, True),
    ("3.1.0", {"type": "number", "examples": [1], "$comment": "c"}, True),
    ("3.1.0", {"const": "a"}, False),
    ("3.1.0", {"type": "string", "not": {"const": "a"}}, False),
]


@pytest.mark.parametrize(("version", "schema", "typed"), TYPED, ids=[f"{v}-{s}" for v, s, _ in TYPED])
def test_a_schema_of_only_the_coerced_type_is_not_validated_again(
    version: str, schema: dict[str, Any], typed: bool
) -> None:
    (plan,) = plan_parameters(_operation([_query("p", schema)], version=version))
    assert plan.typed is typed


RAW = st.one_of(
    st.text(),
    st.sampled_from(["true", "false", "null", ""]),
    st.from_regex(r"-?[0-9]{1,30}(\.[0-9]{1,5})?([eE][+-]?[0-9]{1,3})?", fullmatch=True),
)


@settings(max_examples=300, deadline=None)
@given(raw=RAW, case=st.sampled_from([(v, s) for v, s, typed in TYPED if typed]))
def test_what_a_typed_parameter_coerces_to_its_validator_accepts(raw: str, case: tuple[str, dict[str, Any]]) -> None:
    # The claim behind ``typed``: the validator, were it asked, would say yes to every coerced value.
    (plan,) = plan_parameters(_operation([_query("p", case[1])], version=case[0]))
    try:
        value = coerce_planned([raw], plan)
    except CoercionError:
        return
    assert plan.param.validator.is_valid(value), (raw, value)


# allowEmptyValue (a query flag sent without a value, as Asana's ?opt_pretty): present, and
# nothing to coerce or check, whatever the schema's type; without it, still refused.
FLAG = _operation([{**_query("opt_pretty", {"type": "boolean"}, required=False), "allowEmptyValue": True}])
NO_FLAG = _operation([_query("opt_pretty", {"type": "boolean"}, required=False)])
REQUIRED_FLAG = _operation([{**_query("f", {"type": "integer", "enum": [1, 2]}), "allowEmptyValue": True}])


def test_allow_empty_value_takes_an_empty_value_of_any_type() -> None:
    assert _check(FLAG, {"opt_pretty": [""]}) == {}
    assert _check(FLAG, {"opt_pretty": ["true"]}) == {"opt_pretty": True}
    assert isinstance(_check(FLAG, {"opt_pretty": ["yes"]}), Invalid)
    assert _check(REQUIRED_FLAG, {"f": [""]}) == {}
    assert isinstance(_check(REQUIRED_FLAG, {}), Invalid)


def test_without_allow_empty_value_an_empty_boolean_is_refused() -> None:
    assert isinstance(_check(NO_FLAG, {"opt_pretty": [""]}), Invalid)


# A type is named with its article, as English reads it.
TYPE_WORDING = [
    ({"type": "integer"}, "'x' is not an integer"),
    ({"type": "number"}, "'x' is not a number"),
    ({"type": "boolean"}, "'x' is not a boolean"),
    ({"type": "object"}, "'x' is not an object"),
    ({"type": ["array", "boolean"]}, "'x' is not an array or a boolean"),
    ({"type": ["integer", "null"]}, "'x' is not an integer or null"),
]


@pytest.mark.parametrize(("schema", "message"), TYPE_WORDING, ids=[m for _, m in TYPE_WORDING])
def test_a_type_is_named_with_its_article(schema: dict[str, Any], message: str) -> None:
    with pytest.raises(CoercionError) as caught:
        coerce_scalar("x", schema)
    assert str(caught.value) == message


def _path(style: str, schema: dict[str, Any], *, explode: bool = False) -> Operation:
    return _operation(
        [{"name": "id", "in": "path", "required": True, "style": style, "explode": explode, "schema": schema}]
    )


POINT = {"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "integer", "maximum": 9}}}
INTEGERS_ = {"type": "array", "items": {"type": "integer"}}
STYLED = [
    ("label primitive", _path("label", {"type": "integer"}), ".5", 5),
    ("label array", _path("label", INTEGERS_), ".1,2,3", [1, 2, 3]),
    ("label array, exploded", _path("label", INTEGERS_, explode=True), ".1.2.3", [1, 2, 3]),
    ("label object", _path("label", POINT), ".x,1,y,2", {"x": 1, "y": 2}),
    ("label object, exploded", _path("label", POINT, explode=True), ".x=1.y=2", {"x": 1, "y": 2}),
    ("matrix primitive", _path("matrix", {"type": "integer"}), ";id=5", 5),
    ("matrix array", _path("matrix", INTEGERS_), ";id=1,2", [1, 2]),
    ("matrix array, exploded", _path("matrix", INTEGERS_, explode=True), ";id=1;id=2", [1, 2]),
    ("matrix object", _path("matrix", POINT), ";id=x,1,y,2", {"x": 1, "y": 2}),
    ("matrix object, exploded", _path("matrix", POINT, explode=True), ";x=1;y=2", {"x": 1, "y": 2}),
    ("simple object", _path("simple", POINT), "x,1,y,2", {"x": 1, "y": 2}),
    ("label without its dot", _path("label", INTEGERS_), "1,2,3",
     "path parameter 'id': '1,2,3' is not in the label style: it starts with '.' ('.5', '.3,4,5')"),
    ("matrix without its name", _path("matrix", {"type": "integer"}), "5",
     "path parameter 'id': '5' is not in the matrix style: it starts with ';' (';id=5', ';id=3,4,5')"),
    ("an item of the wrong type", _path("label", INTEGERS_), ".1,x", "path parameter 'id': 'x' is not an integer"),
    ("a property of the wrong type", _path("matrix", POINT), ";id=x,1,y,z",
     "path parameter 'id': property 'y': 'z' is not an integer"),
    ("a property against its schema", _path("label", POINT), ".x,1,y,10",
     "path parameter 'id': 10 is greater than the maximum of 9"),
]  # fmt: skip


@pytest.mark.parametrize(("op", "raw", "expected"), [c[1:] for c in STYLED], ids=[c[0] for c in STYLED])
def test_path_parameters_are_read_in_their_style(op: Operation, raw: str, expected: Any) -> None:
    result = _check(op, {}, {"id": raw})
    assert result == ({"id": expected} if not isinstance(expected, str) else Invalid("id", expected))


def test_an_object_spread_over_the_query_is_passed_through_unchecked() -> None:
    spread = {"name": "filter", "in": "query", "required": True, "schema": POINT}  # form, exploded: x=1&y=2
    deep = {"name": "page", "in": "query", "required": True, "style": "deepObject", "schema": POINT}
    op = _operation([spread, deep, _query("q", {"type": "integer"})])
    assert _check(op, {"x": ["1"], "page[y]": ["2"], "q": ["3"]}) == {"q": 3}
    assert _check(op, {"filter": ["anything"], "q": ["3"]}) == {"q": 3}
