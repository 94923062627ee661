"""Strings drawn for a pattern match it, whatever the seed; unreadable patterns say so."""

from __future__ import annotations

import random
import re

import pytest

from mockserver.core.patterns import compile_pattern

PATTERNS = [
    r"^[A-Z]{2}-\d{3,}(?:x|y)?[^a-z\s]\w+$",
    r"^(foo|bar)-([0-9a-f]{8})-\2$",
    r"^\+[1-9][0-9]{7,14}$",
    r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$",
    r"^idt_live_[A-Za-z0-9]{32}$",
    r"^sha256:[a-f0-9]{64}$",
    r"^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+)?$",
    r"[a-z]",  # unanchored: the text holds a match
    r"^.{3,5}$",
    r"^[\u4e00-\u9fa5]+$",
    r"^[^,;]*$",
    r"^\p{L}+$",  # ECMA Unicode property
    r"^(?<year>\d{4})-\k<year>$",  # ECMA named group and back-reference
    r"^[\p{Lu}\d]{4}$",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_every_draw_matches(pattern: str) -> None:
    generator = compile_pattern(pattern)
    assert generator is not None
    checker = re.compile(
        pattern.replace(r"\p{L}", "[a-zA-Z]")
        .replace(r"\p{Lu}", "A-Z")
        .replace("(?<year>", "(?P<year>")
        .replace(r"\k<year>", "(?P=year)")
    )
    drawn = [generator.generate(random.Random(seed)) for seed in range(50)]
    assert all(checker.search(text) for text in drawn), drawn
    assert len(set(drawn)) > 1 or pattern == r"[a-z]"


def test_the_same_seed_draws_the_same_string() -> None:
    generator = compile_pattern(r"^[a-z]{5,9}$")
    assert generator is not None
    assert generator.generate(random.Random(3)) == generator.generate(random.Random(3))


@pytest.mark.parametrize("pattern", [r"^\p{Greek}+$", "[", r"^(?P<x>a)(?P=y)$"])
def test_a_pattern_python_cannot_read_has_no_generator(pattern: str) -> None:
    assert compile_pattern(pattern) is None
