"""Every format value, fixed or drawn, is what the format checker (jsonschema-rs) accepts."""

from __future__ import annotations

import random

import pytest

from mockserver.core.formats import format_value
from usage_contract_kit.schemas import compile_schema

FORMATS = [
    "date-time", "date", "time", "email", "idn-email", "hostname", "idn-hostname", "ipv4", "ipv6", "uri", "url",
    "iri", "uri-reference", "iri-reference", "uri-template", "uuid", "byte", "password", "duration", "json-pointer",
    "relative-json-pointer", "regex",
]  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_format_values_pass_the_format_check(fmt: str, version: str) -> None:
    validator = compile_schema({"type": "string", "format": fmt}, version=version)
    values = [format_value(fmt, random.Random(seed), static=seed == 0) for seed in range(20)]
    assert all(isinstance(v, str) and validator.is_valid(v) for v in values), values


def test_an_unknown_format_has_no_value() -> None:
    assert format_value("x-vendor-thing", random.Random(0), static=True) is None
