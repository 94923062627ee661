from __future__ import annotations

import base64
import subprocess
from collections.abc import Callable
from decimal import Decimal

import pytest

from contract_tests.core.exchange import Reply, Sent, as_curl, encode_query, exact_json, parse_json, printable, redact

KEY = "idt_live_0123456789abcdefABCDEF0123456789"
SECRETS = {KEY: "CONTRACT_API_KEY"}


def test_curl_names_the_variable_never_the_key() -> None:
    sent = Sent("GET", "http://t/x?a=%205", (("X-API-Key", KEY + "0"), ("Prefer", "it's")))
    curl = as_curl(sent, SECRETS)
    assert curl == """curl -i -H "X-API-Key: ${CONTRACT_API_KEY}0" -H 'Prefer: it'\\''s' 'http://t/x?a=%205'"""
    shown = as_curl(
        Sent("POST", "http://t", (("X-API-Key", KEY[:-1]),), {"X-API-Key": "${CONTRACT_API_KEY%?}"}), SECRETS
    )
    assert shown == """curl -i -X POST -H "X-API-Key: ${CONTRACT_API_KEY%?}" 'http://t'"""


def test_curl_with_the_key_in_the_url_or_a_cookie_replays_it() -> None:
    sent = Sent("GET", f"http://127.0.0.1:9/u?api_key={KEY}&x=$HOME", (("Cookie", f"token={KEY}"),))
    curl = as_curl(sent, SECRETS)
    assert KEY not in curl
    # The shell expands the variable, and only it.
    echoed = subprocess.run(
        ["bash", "-c", curl.replace("curl -i", "printf '%s\\n'", 1)],
        capture_output=True,
        text=True,
        env={"CONTRACT_API_KEY": KEY, "HOME": "/home/x"},
        check=True,
    ).stdout.splitlines()
    assert echoed == ["-H", f"Cookie: token={KEY}", f"http://127.0.0.1:9/u?api_key={KEY}&x=$HOME"]


def test_curl_keeps_dot_segments_and_head() -> None:
    assert as_curl(Sent("GET", "http://t/a/../b", ()), {}) == "curl -i --path-as-is 'http://t/a/../b'"
    assert as_curl(Sent("HEAD", "http://t/a", ()), {}) == "curl -I 'http://t/a'"


@pytest.mark.parametrize(
    "trace",
    [
        KEY,
        KEY[:-1] + "X",
        KEY[5:30],
        KEY[::-1],
        base64.b64encode(KEY.encode()).decode(),
        base64.urlsafe_b64encode(KEY.encode()).decode().rstrip("="),
        base64.b64encode(f"api:{KEY}".encode()).decode(),
        base64.urlsafe_b64encode(f"k={KEY}".encode()).decode(),
        base64.b64encode(KEY[:-1].encode()).decode(),
    ],
    ids=[
        "whole",
        "one character changed",
        "a piece",
        "reversed",
        "base64",
        "base64url",
        "base64 after one byte",
        "base64url after two bytes",
        "base64 of a piece",
    ],
)
def test_redact_removes_every_trace_of_a_secret(trace: str) -> None:
    redacted = redact(f"before {trace} after", SECRETS)
    assert trace not in redacted
    assert KEY[9:21] not in redacted
    assert redacted.startswith("before ")
    assert redacted.endswith(" after")


@pytest.mark.parametrize("before", [b"", b"a", b"ab", b"api:", b"Basic: "])
@pytest.mark.parametrize("after", [b"", b":", b"\n", b"xyz"])
@pytest.mark.parametrize("encode", [base64.b64encode, base64.urlsafe_b64encode], ids=["base64", "base64url"])
def test_redact_leaves_no_run_of_the_key_in_base64(
    before: bytes, after: bytes, encode: Callable[[bytes], bytes]
) -> None:
    """Wherever the key starts in what was encoded, only the characters its neighbours share remain."""
    encoded = encode(before + KEY.encode() + after).decode()
    left = redact(encoded, SECRETS).replace("***", "")
    assert len(left) <= (len(before) + len(after)) * 4 // 3 + 8, left  # neighbours, shared edges, padding


def test_redact_reads_json_escapes() -> None:
    escaped = "".join(f"\\u{ord(c):04x}" for c in KEY)
    assert redact(f'{{"debug": "{escaped}", "x": "caf\\u00e9"}}', SECRETS) == (
        '{"debug": "$CONTRACT_API_KEY", "x": "caf\\u00e9"}'
    )
    half = "".join(f"\\u{ord(c):04X}" for c in KEY[:20])
    shown = redact(f"key {half}{KEY[20:25]} end", SECRETS)
    assert shown.startswith("key ***")
    assert "\\u" not in shown
    untouched = '{"m": "\\ud83d\\ude00 \\u0041BC \\u12"}'  # no secret: escapes are left as they are
    assert redact(untouched, SECRETS) == untouched


def test_redact_names_the_variable_for_the_whole_key() -> None:
    assert redact(f"key={KEY}", SECRETS) == "key=$CONTRACT_API_KEY"
    assert redact("short", {"abc": "X"}) == "short"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J\x1b[31mred", "\\x1b[2J\\x1b[31mred"),
        ("over\rwrite", "over\\rwrite"),
        ("two\nlines\tand tab", "two\\nlines\\tand tab"),
        ("bell\x07 del\x7f c1\x9b", "bell\\x07 del\\x7f c1\\x9b"),
        ("rtl\u202egnp.exe", "rtl\\u202egnp.exe"),
        ("plain é ✓", "plain é ✓"),
    ],
)
def test_printable_escapes_control_characters(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_printable_may_keep_lines() -> None:
    assert printable("a\nb\r\n", newlines=True) == "a\nb\\r\n"


def test_a_number_too_long_to_read_is_a_value_error_saying_so() -> None:
    with pytest.raises(ValueError, match="JSON with a number of more digits than can be read"):
        parse_json(b"[" + b"9" * 5000 + b"]")
    with pytest.raises(ValueError, match="Expecting value"):  # not JSON at all: json's own words
        parse_json(b"nope")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(constant: str) -> None:
    with pytest.raises(ValueError, match=f"JSON with {constant}, which JSON does not allow"):
        parse_json(b'{"data": {"usageSms": %s}}' % constant.encode())
    with pytest.raises(ValueError, match=f"JSON with {constant}"):
        exact_json(b"[%s]" % constant.encode())


def test_a_number_past_a_double_s_range_is_quoted_not_read_as_infinity() -> None:
    with pytest.raises(ValueError, match=r"JSON with the number -1e400, past the range of a double"):
        parse_json(b'{"data": {"usageSms": -1e400}}')
    assert parse_json(b"[1.5e300]") == [1.5e300]


def test_a_name_twice_in_an_object_is_not_json() -> None:
    with pytest.raises(ValueError, match="JSON with the name 'usageSms' twice in one object"):
        parse_json(b'{"data": {"usageSms": 5, "usageEmail": 1, "usageSms": 4}}')
    assert parse_json(b'{"a": {"b": 1}, "b": [{"b": 2}]}') == {"a": {"b": 1}, "b": [{"b": 2}]}


def test_deep_json_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="nested too deeply"):
        parse_json(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(ValueError, match="nested too deeply"):
        Reply(200, {}, b"[" * 100_000, 0.0).json()


def test_exact_json_keeps_big_numbers_exact() -> None:
    assert exact_json(b'{"a": 9007199254740993, "b": 1.0, "c": 1e20}') == {
        "a": 9007199254740993,
        "b": Decimal("1.0"),
        "c": Decimal("1E+20"),
    }


def test_excerpt_is_one_inert_line() -> None:
    reply = Reply(200, {}, b"\x1b[31m" + b"x" * 400, 0.0)
    assert reply.excerpt().startswith("\\x1b[31mxxx")
    assert reply.excerpt().endswith("...")


def test_reprs_hold_no_header_values() -> None:
    assert KEY not in repr(Sent("GET", "http://t/", (("X-API-Key", KEY),)))


def test_encode_query_keeps_padding_visible() -> None:
    assert encode_query([("a", " 5"), ("b", "x&y")]) == "a=%205&b=x%26y"


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b'\xef\xbb\xbf{"data": {}}', "JSON after a byte order mark"),
        ('{"data": {}}'.encode("utf-16"), "JSON not in UTF-8"),
        ('{"message": "caf\u00e9"}'.encode("latin-1"), "JSON not in UTF-8"),
        ('{"data": {}}'.encode("utf-16-be"), "Expecting value"),  # no BOM: NULs between the characters
    ],
)
def test_json_is_utf_8_without_a_byte_order_mark(body: bytes, why: str) -> None:
    # Python's json reads all of these; RFC 8259 allows UTF-8 only, and JSON.parse fails on a BOM.
    with pytest.raises(ValueError, match=why):
        parse_json(body)
    assert parse_json('{"message": "caf\u00e9"}'.encode()) == {"message": "caf\u00e9"}
