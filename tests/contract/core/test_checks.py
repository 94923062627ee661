from __future__ import annotations

import pytest

from contract_tests.core.checks import (
    RESPONSE_CHECKS,
    CheckContext,
    ContractFailure,
    check_usage_counts,
    conform,
    expect_status,
    judge_latency,
)
from contract_tests.core.contract import load_contract
from contract_tests.core.exchange import Exchange, Reply, Sent, SlowRequest
from tests.conftest import ROOT

CTX = CheckContext(load_contract(ROOT / "openapi.yaml"), {"idt_live_secretsecretsecret": "CONTRACT_API_KEY"}, 1.0)
GOOD = b'{"data":{"usageSms":1,"usageWhatsapp":2,"usageEmail":3,"usageSage":4}}'
ERROR = b'{"error":"Forbidden","message":"no"}'


def _exchange(
    status: int,
    body: bytes,
    content_type: str = "application/json",
    elapsed: float = 0.01,
    headers: dict[str, str] | None = None,
) -> Exchange:
    sent = Sent(
        "GET", "http://t/organizations/o/usage?startDate=1&endDate=2", (("X-API-Key", "idt_live_secretsecretsecret"),)
    )
    reply_headers = ({"content-type": content_type} if content_type else {}) | (headers or {})
    return Exchange(sent, Reply(status, reply_headers, body, elapsed))


PASSING = [
    ("200", _exchange(200, GOOD)),
    ("charset", _exchange(200, GOOD, "application/json; charset=utf-8")),
    (
        "extra fields",
        _exchange(200, b'{"data":{"usageSms":1,"usageWhatsapp":2,"usageEmail":3,"usageSage":4,"x":1},"meta":{}}'),
    ),
    ("403", _exchange(403, ERROR)),
    ("problem+json", _exchange(404, ERROR, "application/problem+json")),
    ("headers naming the key header", _exchange(401, ERROR, headers={"vary": "X-API-Key", "set-cookie": "a=b"})),
]


@pytest.mark.parametrize(("name", "exchange"), PASSING, ids=[p[0] for p in PASSING])
def test_conforming_answers_pass(name: str, exchange: Exchange) -> None:
    conform(CTX, exchange)


FAILING = [
    ("server error", _exchange(500, b"boom", "text/plain"), "not_a_server_error"),
    ("undocumented status", _exchange(400, ERROR), "status_documented"),
    ("text/plain", _exchange(200, GOOD, "text/plain"), "content_type"),
    ("no content type", _exchange(200, GOOD, ""), "content_type"),
    ("not JSON", _exchange(200, b"<html>"), "response_schema"),
    ("missing field", _exchange(200, b'{"data":{"usageSms":1}}'), "response_schema"),
    (
        "string count",
        _exchange(200, b'{"data":{"usageSms":"1","usageWhatsapp":2,"usageEmail":3,"usageSage":4}}'),
        "response_schema",
    ),
    ("error without message", _exchange(401, b'{"error":"x"}'), "response_schema"),
    (
        "NaN count",
        _exchange(200, b'{"data":{"usageSms":NaN,"usageWhatsapp":2,"usageEmail":3,"usageSage":4}}'),
        "response_schema",
    ),
    ("100,000-deep JSON", _exchange(200, b"[" * 100_000 + b"]" * 100_000), "response_schema"),
    ("ANSI escapes in a body", _exchange(200, b"\x1b[2J\x1b[31mPASS\r"), "response_schema"),
    (
        "a key in an error body",
        _exchange(401, b'{"error":"x","message":"bad key idt_live_secretsecretsecret"}'),
        "error_body_leak_free",
    ),
    (
        "the key in a cookie",
        _exchange(200, GOOD, headers={"set-cookie": "session=idt_live_secretsecretsecret; Path=/"}),
        "error_body_leak_free",
    ),
    (
        "the key in WWW-Authenticate",
        _exchange(
            401, ERROR, headers={"www-authenticate": 'ApiKey error="invalid", key="idt_live_secretsecretsecret"'}
        ),
        "error_body_leak_free",
    ),
    (
        "a stack trace in a debug header",
        _exchange(404, ERROR, headers={"x-debug-trace": 'File "/srv/usage/handlers.py", line 88, in authorize'}),
        "error_body_leak_free",
    ),
    (
        "a source line in a header",
        _exchange(200, GOOD, headers={"x-origin": "usage/api.js:12"}),
        "error_body_leak_free",
    ),
    ("a byte order mark before JSON", _exchange(200, b"\xef\xbb\xbf" + GOOD), "response_schema"),
    ("JSON in UTF-16", _exchange(200, GOOD.decode().encode("utf-16")), "response_schema"),
    (
        "a query's text in an error body",
        _exchange(404, b'{"error":"x","message":"no row for SELECT id FROM organizations WHERE id = %s"}'),
        "error_body_leak_free",
    ),
    (
        "usage in an error body",
        _exchange(403, b'{"error":"x","message":"no","data":{"usageSms":1}}'),
        "error_body_leak_free",
    ),
]


@pytest.mark.parametrize(("name", "exchange", "check"), FAILING, ids=[f[0] for f in FAILING])
def test_broken_answers_fail_with_the_check_named(name: str, exchange: Exchange, check: str) -> None:
    with pytest.raises(ContractFailure) as info:
        conform(CTX, exchange, RESPONSE_CHECKS)
    failure = info.value
    assert failure.check == check
    assert "idt_live_secretsecretsecret" not in str(failure)
    assert failure.curl is not None
    assert "${CONTRACT_API_KEY}" in failure.curl
    assert "expected:" in str(failure)
    assert "got:" in str(failure)
    assert "\x1b" not in str(failure)
    assert "\r" not in str(failure)


def test_nan_is_named_as_such() -> None:
    nan = _exchange(200, b'{"data":{"usageSms":NaN,"usageWhatsapp":2,"usageEmail":3,"usageSage":4}}')
    with pytest.raises(ContractFailure, match="JSON with NaN, which JSON does not allow") as info:
        conform(CTX, nan)
    assert "null" not in info.value.got


def test_one_slow_answer_is_not_a_latency_failure() -> None:
    sent = _exchange(200, GOOD).sent
    judge_latency(CTX, [SlowRequest(sent, 1.5, None)])  # slow once, not retried: not counted
    with pytest.raises(
        ContractFailure, match=r"1 request\(s\) slow twice in a row; the worst took 2.00 s, then 3.00 s"
    ):
        judge_latency(CTX, [SlowRequest(sent, 1.5, None), SlowRequest(sent, 2.0, 3.0)])


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b'{"data":{"usageSms":-1,"usageWhatsapp":0,"usageEmail":0,"usageSage":0}}', "is negative"),
        (b'{"data":{"usageSms":0.5,"usageWhatsapp":0,"usageEmail":0,"usageSage":0}}', "not a whole number"),
    ],
)
def test_usage_counts_are_whole_and_non_negative(body: bytes, fragment: str) -> None:
    check_usage_counts(CTX, _exchange(200, GOOD))
    with pytest.raises(ContractFailure, match=fragment):
        check_usage_counts(CTX, _exchange(200, body))


def test_check_status_says_why() -> None:
    with pytest.raises(ContractFailure, match=r"expected: 401 \(no key\)"):
        expect_status(CTX, _exchange(200, GOOD), {401}, "missing_key_refused", "no key")
