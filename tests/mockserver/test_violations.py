"""What the proxy writes about a violation: safe text, a bounded header, entries that fit the journal."""

from __future__ import annotations

import base64

import pytest

from mockserver.access_log import printable
from mockserver.core.conformance import RESPONSE, Violation
from mockserver.violations import describe, entry, header_value, scrub, violations_journal

KEY = "idt_live_0123456789abcdefABCDEF0123456789"
SECRET = KEY.removeprefix("idt_live_")
VIOLATION = Violation(RESPONSE, "body-schema", "#/paths/~1x/get/responses/200", f'at /a: "{KEY}" is not a number')


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (f"key {KEY}!", "key ***!"),
        (f"reversed {KEY[::-1]}", "reversed ***"),
        (f"base64 {base64.b64encode(KEY.encode()).decode()}", "base64 ***="),
        (f"the secret part {SECRET} alone", "the secret part *** alone"),
        ("nothing secret", "nothing secret"),
    ],
)
def test_scrub(text: str, shown: str) -> None:
    assert scrub(text, [KEY]) == shown


def test_scrub_leaves_short_values_alone() -> None:
    assert scrub("a b c", ["a"]) == "a b c"


@pytest.mark.parametrize(
    ("text", "limit", "shown"),
    [
        ("plain", 10, "plain"),
        ("\x1b[2Jred\r\n", 20, "\\x1b[2Jred\\r\\n"),
        ("x" * 12, 10, "xxxxxxxxxx... (12 characters)"),
        ("\x00" * 5, 8, "\\x00\\x00... (5 characters)"),
        ("é ok", 10, "é ok"),
    ],
)
def test_printable(text: str, limit: int, shown: str) -> None:
    assert printable(text, limit) == shown


def test_describe_and_the_header_never_carry_the_key() -> None:
    assert (
        describe(VIOLATION, [KEY])
        == 'response body-schema: at /a: "***" is not a number (#/paths/~1x/get/responses/200)'
    )
    value = header_value([VIOLATION, VIOLATION], [KEY])
    assert value.startswith('2; first: response body-schema: at /a: "***"')


def test_the_header_is_one_ascii_line_of_bounded_length() -> None:
    long = Violation(RESPONSE, "body-schema", "#/p", "é\r\n" + "x" * 1000)
    value = header_value([long], [])
    assert value.isascii()
    assert "\r" not in value
    assert "\n" not in value
    assert len(value) <= 400


def test_the_largest_entry_fits_a_journal_slot() -> None:
    journal = violations_journal(2)
    worst = Violation(RESPONSE, "body-schema", "#/" + "p" * 500, "m" * 5000)
    recorded = entry(
        request={
            "method": "GET",
            "path": "/" + "x" * 3000,
            "query": {"q": ["v" * 5000]},
            "credentials": {},
            "operationId": "op",
        },
        status=200,
        served="upstream",
        content_type="application/json" * 20,
        body=("\x1b" * 10_000).encode(),
        violations=[worst] * 20,
        secrets=[],
        elapsed_ms=1.0,
    )
    journal.record(recorded)
    [kept] = journal.entries()
    assert kept["violationCount"] == 20
    assert len(kept["violations"]) == 5
    assert len(kept["excerpt"]) < 300
    assert kept["query"] == {"truncated": ["true"]}  # the journal's own way to make room
    assert len(kept["path"]) <= 256
    journal.record({**recorded, "path": "/" + "x" * 300, "query": {"q": ["v" * 200]}})
    assert journal.entries()[1]["query"] == {"q": ["v" * 200]}  # the rest of the worst entry leaves room
