from __future__ import annotations

import subprocess

import pytest

from contract_tests.core.credentials import (
    QUERY_NAMES,
    KeyVariant,
    bad_key_variants,
    misplaced_credentials,
    secret_case_variants,
    unknown_key,
)

KEY = "idt_live_0123456789abcdefABCDEF0123456789"
PREFIX = "idt_live_"


def _shell(expression: str) -> str:
    """What a replay command's shell makes of a shown key."""
    return subprocess.run(
        ["bash", "-c", f'printf %s "{expression}"'],
        capture_output=True,
        text=True,
        env={"CONTRACT_API_KEY": KEY, "PATH": "/usr/bin:/bin"},
        check=True,
    ).stdout


def test_bad_keys_hide_the_secret() -> None:
    variants = {v.id: v for v in bad_key_variants(KEY, PREFIX)}
    assert variants["wrong prefix"].value == "idt_test_" + KEY[9:]
    assert variants["wrong prefix"].shown == "idt_test_${CONTRACT_API_KEY#idt_live_}"
    assert variants["valid key minus a character"].shown == "${CONTRACT_API_KEY%?}"
    assert variants["unknown well-formed key"].value == unknown_key(KEY, PREFIX)
    assert unknown_key(KEY, PREFIX).startswith(PREFIX)
    assert len(unknown_key(KEY, PREFIX)) == len(KEY)
    assert all(v.value != KEY for v in variants.values())
    assert all(KEY[9:] not in v.shown for v in variants.values())


@pytest.mark.parametrize("variant", bad_key_variants(KEY, PREFIX), ids=lambda v: v.id)
def test_each_bad_key_replays_as_itself(variant: KeyVariant) -> None:
    assert _shell(variant.shown) == variant.value


def test_the_prefix_is_what_the_spec_says() -> None:
    variants = {v.id: v.value for v in bad_key_variants("sk-abcdefghijklmnop", "sk-")}
    assert variants["wrong case of the prefix"] == "SK-abcdefghijklmnop"
    assert variants["wrong prefix"] == "xk-abcdefghijklmnop"
    without = {v.id for v in bad_key_variants("abcdefghijklmnop", "")}
    assert "wrong case" in without
    assert "wrong prefix" not in without


def test_secret_case_variants_change_only_the_secret_part() -> None:
    variants = secret_case_variants(KEY, PREFIX)
    assert [v.id for v in variants] == [
        "secret part in swapped case",
        "secret part in upper case",
        "secret part in lower case",
    ]
    for variant in variants:
        assert variant.value.startswith(PREFIX)
        assert variant.value != KEY
        assert variant.value.lower() == KEY.lower()
        assert _shell(variant.shown) == variant.value
        assert KEY[9:] not in variant.shown
    assert secret_case_variants(PREFIX + "0123456789", PREFIX) == []


def test_misplaced_credentials_never_use_the_documented_header() -> None:
    variants = misplaced_credentials(KEY, "X-API-Key")
    ids = [v.id for v in variants]
    assert ids[: len(QUERY_NAMES)] == [f"query parameter {name}" for name in QUERY_NAMES]
    assert {"query parameter apikey", "query parameter X-API-Key", "query parameter x-api-key"} <= set(ids)
    assert {"cookie", "Authorization: Bearer", "Authorization without a scheme"} <= set(ids)
    for variant in variants:
        assert "X-API-Key" not in variant.headers
        assert any(KEY in value for _, value in variant.query) or any(KEY in v for v in variant.headers.values())
    cookie = next(v for v in variants if v.id == "cookie")
    assert f"X-API-Key={KEY}" in cookie.headers["Cookie"]
    assert KEY not in repr(cookie)
