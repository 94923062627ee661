from __future__ import annotations

from collections import Counter

import pytest

from contract_tests.core.exchange import Exchange, Reply, Sent
from contract_tests.core.isolation import Answer, answer_of, interleaving, shared_answer_problem, shared_cache_problem

POINTERS = ["/data/a", "/data/b"]


def _answer(status: int, body: bytes) -> Answer:
    return answer_of(Exchange(Sent("GET", "http://t/", ()), Reply(status, {}, body, 0.0)), POINTERS, 200)


def test_answers_compare_status_and_exact_figures() -> None:
    assert _answer(200, b'{"data":{"a":1,"b":2},"requestId":"x"}') == _answer(200, b'{"data":{"a":1.0,"b":2}}')
    assert _answer(200, b'{"data":{"a":9007199254740993,"b":0}}') != _answer(
        200, b'{"data":{"a":9007199254740992,"b":0}}'
    )
    assert _answer(401, b'{"error":"x"}') == _answer(401, b"anything else")
    assert _answer(200, b"not json").figures[0][0] == "(body)"
    assert str(_answer(403, b"")) == "403"


def test_interleaving_is_fixed_and_balanced() -> None:
    order = interleaving(7, 100)
    assert order == interleaving(7, 100)
    assert order != sorted(order)
    assert max(Counter(order).values()) - min(Counter(order).values()) <= 1


NARROW, WIDE = Answer(200, (("/a", 1),)), Answer(200, (("/a", 9),))


@pytest.mark.parametrize(
    ("narrow", "wide", "mixed", "shared"),
    [
        (NARROW, WIDE, WIDE, False),  # answered like the wide range: right
        (NARROW, WIDE, NARROW, True),  # answered with the narrow range's usage: shared
        (NARROW, NARROW, NARROW, False),  # the two ranges have the same usage: nothing to tell
        (NARROW, WIDE, Answer(200, (("/a", 5),)), False),  # neither: not a cache's doing
    ],
)
def test_shared_answers(narrow: Answer, wide: Answer, mixed: Answer, shared: bool) -> None:
    assert (shared_answer_problem(narrow, wide, mixed) is not None) is shared


@pytest.mark.parametrize(
    ("headers", "shared"),
    [
        ({}, False),
        ({"cache-control": "private, max-age=60"}, False),
        ({"cache-control": "no-store"}, False),
        ({"cache-control": "no-cache, max-age=600"}, False),
        ({"cache-control": "max-age=0"}, False),
        ({"cache-control": "public, max-age=3600", "vary": "Accept-Encoding, X-API-Key"}, False),
        ({"cache-control": "max-age=60", "vary": "*"}, False),
        ({"cache-control": "public, max-age=3600"}, True),
        ({"cache-control": "max-age=60", "vary": "Accept-Encoding"}, True),
        ({"cache-control": 's-maxage="120"'}, True),
        ({"cache-control": "public"}, True),
    ],
)
def test_answers_a_shared_cache_may_keep_for_anyone(headers: dict[str, str], shared: bool) -> None:
    problem = shared_cache_problem(headers, "X-API-Key")
    assert (problem is not None) == shared, problem
    if problem is not None:
        assert "Vary: X-API-Key" in problem
