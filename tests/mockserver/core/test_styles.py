"""Parameter styles: OpenAPI's style examples, read and written."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mockserver.core.styles import StyleError, read_styled, write_styled

PRIMITIVE, ARRAY, OBJECT = "5", ["3", "4", "5"], {"role": "admin", "firstName": "Alex"}
# OpenAPI 3.0.3 / 3.1, "Style Examples", for a parameter named id (form: the value after "id=").
TABLE = [
    ("simple", False, "5", "3,4,5", "role,admin,firstName,Alex"),
    ("simple", True, "5", "3,4,5", "role=admin,firstName=Alex"),
    ("label", False, ".5", ".3,4,5", ".role,admin,firstName,Alex"),
    ("label", True, ".5", ".3.4.5", ".role=admin.firstName=Alex"),
    ("matrix", False, ";id=5", ";id=3,4,5", ";id=role,admin,firstName,Alex"),
    ("matrix", True, ";id=5", ";id=3;id=4;id=5", ";role=admin;firstName=Alex"),
    ("form", False, "5", "3,4,5", "role,admin,firstName,Alex"),
]
CASES = [
    (style, explode, shape, value, text)
    for style, explode, *texts in TABLE
    for shape, value, text in zip(("primitive", "array", "object"), (PRIMITIVE, ARRAY, OBJECT), texts, strict=True)
]
IDS = [f"{style}-{'exploded' if explode else 'not exploded'}-{shape}" for style, explode, shape, _, _ in CASES]


@pytest.mark.parametrize(("style", "explode", "shape", "value", "text"), CASES, ids=IDS)
def test_the_specification_s_examples_are_read(style: str, explode: bool, shape: str, value: Any, text: str) -> None:
    assert read_styled(text, style=style, explode=explode, name="id", shape=shape) == value


@pytest.mark.parametrize(("style", "explode", "shape", "value", "text"), CASES, ids=IDS)
def test_the_specification_s_examples_are_written(style: str, explode: bool, shape: str, value: Any, text: str) -> None:
    assert write_styled(value, style=style, explode=explode, name="id") == text


EMPTY = [
    ("label", False, "array", ".", []),
    ("label", False, "primitive", ".", ""),
    ("matrix", False, "primitive", ";id", ""),
    ("matrix", True, "array", ";id", []),
    ("matrix", False, "object", ";id", {}),
    ("matrix", True, "array", ";id=a;id", ["a", ""]),
    ("label", False, "primitive", ".1.5", "1.5"),  # a primitive is not split
]


@pytest.mark.parametrize(("style", "explode", "shape", "text", "value"), EMPTY, ids=[f"{c[0]} {c[3]!r}" for c in EMPTY])
def test_empty_values_and_primitives_with_delimiters(
    style: str, explode: bool, shape: str, text: str, value: Any
) -> None:
    assert read_styled(text, style=style, explode=explode, name="id", shape=shape) == value


WRONG = [
    ("label", False, "primitive", "5", "'5' is not in the label style: it starts with '.'"),
    ("matrix", False, "primitive", "5", "'5' is not in the matrix style: it starts with ';'"),
    ("matrix", False, "primitive", ";other=5", "';other=5' is not in the matrix style for 'id'"),
    ("matrix", True, "array", ";id=3;other=4", "each item is ';id=...'"),
    ("simple", False, "object", "role,admin,firstName", "names and values taking turns (an odd count)"),
    ("label", True, "object", ".role=admin.firstName", "'firstName' has no '='"),
]


@pytest.mark.parametrize(("style", "explode", "shape", "text", "message"), WRONG, ids=[c[4] for c in WRONG])
def test_a_value_not_in_its_style_is_named(style: str, explode: bool, shape: str, text: str, message: str) -> None:
    with pytest.raises(StyleError, match=re.escape(message)):
        read_styled(text, style=style, explode=explode, name="id", shape=shape)
