from __future__ import annotations

import pytest

from usage_contract_kit.model import literal_prefix


@pytest.mark.parametrize(
    ("pattern", "prefix"),
    [
        ("^idt_live_[A-Za-z0-9]{32}$", "idt_live_"),
        ("^sk-[a-z]+$", "sk-"),
        (r"^ab\.c+d", "ab.c"),
        (r"^x\.y", "x.y"),
        ("^abc*", "ab"),
        ("^ab?c", "a"),
        ("^a?b", ""),
        ("^key(_v2)?_", "key"),
        ("^(a|b)", ""),
        ("unanchored", ""),
        (None, ""),
    ],
)
def test_literal_prefix(pattern: str | None, prefix: str) -> None:
    assert literal_prefix(pattern) == prefix
