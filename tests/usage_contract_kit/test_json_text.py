"""JSON documents read as JSON, within the YAML reader's limits, faults named with their place."""

from __future__ import annotations

from typing import Any

import pytest

from usage_contract_kit.documents import MAX_DEPTH
from usage_contract_kit.errors import SpecError
from usage_contract_kit.json_text import parse_json

READ = [
    ("a surrogate pair written as escapes", r'{"a": "\ud83d\udc4d"}', {"a": "\U0001f44d"}),
    ("escapes in a key", r'{"\u00e9t\u00e9": 1}', {"été": 1}),
    ("an escaped backslash before u", r'{"a": "\\ud83d"}', {"a": "\\ud83d"}),
    ("a byte-order mark", "\ufeff[1]", [1]),
    ("a raw tab inside a string", '{"a": "x\ty"}', {"a": "x\ty"}),
    ("an exponent without a dot is a number", '{"a": 1e3}', {"a": 1000.0}),
    ("a big integer", '{"a": 123456789012345678901234567890}', {"a": 123456789012345678901234567890}),
    ("nesting at the limit", "[" * MAX_DEPTH + "]" * MAX_DEPTH, None),
]


@pytest.mark.parametrize(("text", "value"), [c[1:] for c in READ], ids=[c[0] for c in READ])
def test_reads_json(text: str, value: Any) -> None:
    read = parse_json(text.encode(), source="f.json", error=SpecError, max_depth=MAX_DEPTH)
    if value is not None:
        assert read == value


REFUSED = [
    ("truncated", '{"a": [1,\n', "", "not valid JSON at line 2, column 1: Expecting value"),
    ("a missing comma", '{"a": 1\n "b": 2}', "", "not valid JSON at line 2, column 2: Expecting ',' delimiter"),
    ("NaN", '{"a": NaN}', "", "not valid JSON: NaN is not a JSON number"),
    ("Infinity", '{"a": [-Infinity]}', "", "not valid JSON: -Infinity is not a JSON number"),
    ("a lone high surrogate", r'{"a": {"b": ["x", "\ud83d!"]}}', "/a/b/1", r"a lone surrogate escape (\ud83d)"),
    ("a lone low surrogate in a key", r'{"a": {"\udc4d": 1}}', "/a", r"a lone surrogate escape (\udc4d)"),
    ("a lone surrogate at the top", r'"\ud800"', "", r"a lone surrogate escape (\ud800)"),
    ("an integer too long to read", '{"a": ' + "9" * 5000 + "}", "", "a number of more than 4,300 digits"),
    ("not UTF-8", b'{"a": "\xff"}', "", "not valid JSON: not UTF-8 text (at byte 7)"),
    (
        "nesting past the limit",
        '{"a": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}",
        "/a" + "/0" * (MAX_DEPTH - 1),
        f"nested deeper than {MAX_DEPTH} levels",
    ),
    ("nesting past the parser's own limit", "[" * 100_000 + "]" * 100_000, "", f"nested deeper than {MAX_DEPTH}"),
]


@pytest.mark.parametrize(("text", "location", "problem"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_refusals_name_the_fault(text: str | bytes, location: str, problem: str) -> None:
    data = text if isinstance(text, bytes) else text.encode()
    with pytest.raises(SpecError) as info:
        parse_json(data, source="f.json", error=SpecError, max_depth=MAX_DEPTH)
    assert (info.value.location, info.value.problem[: len(problem)]) == (location, problem)
