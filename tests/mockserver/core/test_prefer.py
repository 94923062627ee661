from __future__ import annotations

import pytest

from mockserver.core.prefer import PreferenceError, Preferences, parse_preferences

CASES = [
    (None, {}, Preferences()),
    ("code=404", {}, Preferences(code=404)),
    ("code=404, example=fromSchema", {}, Preferences(code=404, example="fromSchema")),
    ("dynamic=true; seed=7", {}, Preferences(dynamic=True, seed=7)),
    ("seed=7", {}, Preferences(dynamic=True, seed=7)),
    ("delay=250", {}, Preferences(delay_ms=250)),
    ('example="default"', {}, Preferences(example="default")),
    ("return=minimal, respond-async", {}, Preferences()),
    ("Code=401", {}, Preferences(code=401)),
    (None, {"__code": ["403"], "__delay": ["5"]}, Preferences(code=403, delay_ms=5)),
    ("code=404", {"__code": ["401"]}, Preferences(code=401)),
    (None, {"__dynamic": ["true"], "__seed": ["1"]}, Preferences(dynamic=True, seed=1)),
    (None, {"__example": ["fromSchema"]}, Preferences(example="fromSchema")),
    ("dynamic=false, seed=3", {}, Preferences(dynamic=False, seed=3)),
]


@pytest.mark.parametrize(("header", "query", "expected"), CASES, ids=[f"{h}|{q}" for h, q, _ in CASES])
def test_preferences(header: str | None, query: dict[str, list[str]], expected: Preferences) -> None:
    assert parse_preferences(header, query) == expected


BAD = [
    ("code=abc", "code='abc'"),
    ("code=99", "between 100 and 599"),
    ("delay=-1", "delay"),
    ("delay=999999", "between 0 and 10000"),
    ("dynamic=maybe", "true or false"),
    ("seed=x", "seed"),
    ("example=a, dynamic=true", "exclude each other"),
]


@pytest.mark.parametrize(("header", "fragment"), BAD, ids=[b[0] for b in BAD])
def test_bad_values_are_named(header: str, fragment: str) -> None:
    with pytest.raises(PreferenceError, match=fragment.replace("(", r"\(")):
        parse_preferences(header, {})


def test_a_number_too_long_to_read_is_out_of_range() -> None:
    with pytest.raises(PreferenceError, match="preference delay must be between 0 and 10000; it has 5,000 digits"):
        parse_preferences("delay=" + "9" * 5000, {})
