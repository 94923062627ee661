"""The validating proxy's flow through Flask's test client, with in-process upstreams.

What is passed on and how, what the proxy answers itself (502, 413, the fallback, CORS
preflights), the violations journal, the header and the 502 option, and where the
caller's key may appear (upstream only).
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask

from mockserver.app import create_app
from mockserver.core.engine import MockRequest, build_state
from mockserver.forwarding import Reply, Upstream
from mockserver.proxy import _redacted
from tests.conftest import ROOT, SPEC_PATH
from tests.contract.implementations import CORRECT, DEFECTS, KEY, ORG, WINDOW
from tests.mockserver.upstreams import DownUpstream, Sent, WsgiUpstream
from usage_contract_kit.spec import load_spec

USAGE = f"/organizations/{ORG}/usage?startDate={WINDOW[0]}&endDate={WINDOW[1]}"
OWN = {"X-API-Key": KEY}
GOOD_BODY = b'{"data": {"usageSms": 1, "usageWhatsapp": 2, "usageEmail": 3, "usageSage": 4}}'
REFERENCE = CORRECT[0]


@dataclass
class StaticUpstream:
    """Answers every request with one reply; keeps what it was sent."""

    reply: Reply
    url: str = "http://upstream.test"
    sent: list[Sent] = field(default_factory=list)

    def send(self, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes) -> Reply:
        self.sent.append(Sent(method, target, tuple(headers), body))
        return self.reply


def _app(upstream: Upstream, **config: Any) -> Flask:
    settings = {"MOCK_RELOAD_INTERVAL": 0, "MOCK_PROXY": "http://upstream.test"}
    settings.update({f"MOCK_{name.upper()}": value for name, value in config.items()})
    return create_app(SPEC_PATH, settings, upstream=upstream)


def _reply(status: int = 200, body: bytes = GOOD_BODY, *headers: tuple[str, str], reason: str = "OK") -> Reply:
    return Reply(status, reason, (("Content-Type", "application/json"), *headers), body)


# ---- passed on ------------------------------------------------------------------------------------
def test_the_request_goes_upstream_as_sent_but_for_hop_by_hop_fields() -> None:
    upstream = StaticUpstream(_reply())
    client = _app(upstream).test_client()
    headers = {
        **OWN,
        "Prefer": "code=404",
        "Connection": "keep-alive, X-Hop",
        "X-Hop": "for this connection only",
        "Keep-Alive": "timeout=5",
        "Accept-Encoding": "br, gzip;q=0.8, zstd",
        "Via": "1.1 corporate-proxy",
    }
    client.get(USAGE + "&extra=%20x%2Fy", headers=headers)
    [sent] = upstream.sent
    forwarded = dict(sent.headers)
    assert sent.method == "GET"
    assert sent.target == USAGE + "&extra=%20x%2Fy"
    assert forwarded["X-Api-Key"] == KEY  # the key goes upstream
    assert forwarded["Prefer"] == "code=404"
    assert forwarded["Accept-Encoding"] == "gzip;q=0.8"  # only what the proxy can decode to check
    assert forwarded["Via"] == "1.1 corporate-proxy, 1.1 mockserver"
    assert not {"Connection", "X-Hop", "Keep-Alive", "Host", "Content-Length"} & set(forwarded)


def test_the_answer_comes_back_unchanged_but_for_hop_by_hop_fields() -> None:
    body = b'{"data":{"usageSms":1,  "usageWhatsapp":2,"usageEmail":3,"usageSage":4}}\n'
    reply = Reply(
        200,
        "Fine Thanks",
        (
            ("Content-Type", "application/json; charset=utf-8"),
            ("Set-Cookie", "a=1"),
            ("Set-Cookie", "b=2"),
            ("Connection", "close, X-Private"),
            ("X-Private", "hop"),
            ("Transfer-Encoding", "chunked"),
            ("Content-Length", "999"),
            ("X-Request-Id", "r-1"),
        ),
        body,
    )
    answer = _app(StaticUpstream(reply)).test_client().get(USAGE, headers=OWN)
    assert answer.status == "200 Fine Thanks"
    assert answer.get_data() == body
    assert answer.headers.getlist("Set-Cookie") == ["a=1", "b=2"]
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert answer.headers["X-Request-Id"] == "r-1"
    assert answer.headers["Content-Length"] == str(len(body))
    assert answer.headers["Via"] == "1.1 mockserver"
    assert not {"Connection", "X-Private", "Transfer-Encoding"} & set(answer.headers.keys())
    assert "X-Contract-Proxy" not in answer.headers  # the upstream's answer, as it was


def test_a_compressed_answer_is_checked_decoded_and_passed_on_compressed() -> None:
    strings = b'{"data": {"usageSms": "1", "usageWhatsapp": 2, "usageEmail": 3, "usageSage": 4}}'
    compressed = gzip.compress(strings)
    upstream = StaticUpstream(_reply(200, compressed, ("Content-Encoding", "gzip")))
    client = _app(upstream, proxy_violations_header=True).test_client()
    answer = client.get(USAGE, headers={**OWN, "Accept-Encoding": "gzip"})
    assert answer.get_data() == compressed
    assert answer.headers["X-Contract-Violations"].startswith("1; first: response body-schema: at /data/usageSms")
    entry = client.get("/__admin/violations").get_json()["violations"][0]
    assert entry["excerpt"].startswith('{"data": {"usageSms": "1"')


def test_a_coding_the_proxy_did_not_ask_for_is_reported() -> None:
    upstream = StaticUpstream(_reply(200, b"\x1b\x00", ("Content-Encoding", "br")))
    client = _app(upstream).test_client()
    client.get(USAGE, headers={**OWN, "Accept-Encoding": "br"})
    [violation] = client.get("/__admin/violations").get_json()["violations"][0]["violations"]
    assert violation["rule"] == "body-unreadable"
    assert "'br'" in violation["message"]


def test_head_keeps_the_length_a_get_would_have() -> None:
    implementation = next(impl for impl in CORRECT if impl.answers_head)
    answer = _app(WsgiUpstream(implementation)).test_client().head(USAGE, headers=OWN)
    assert answer.status_code == 200
    assert int(answer.headers["Content-Length"]) > 0
    assert answer.get_data() == b""


# ---- the violations: journal, header, 502 ---------------------------------------------------------
def test_the_header_and_the_journal_say_what_broke() -> None:
    strings = next(impl for impl in DEFECTS if impl.name == "counts as strings")
    client = _app(WsgiUpstream(strings), proxy_violations_header=True).test_client()
    answer = client.get(USAGE, headers=OWN)
    assert answer.status_code == 200  # passed on
    assert answer.headers["X-Contract-Violations"].startswith("1; first: response body-schema: at /data/")
    listing = client.get("/__admin/violations").get_json()
    assert (listing["count"], listing["limit"], listing["upstream"]) == (1, 500, "http://upstream.test")
    [entry] = listing["violations"]
    assert entry["method"] == "GET"
    assert entry["path"] == f"/organizations/{ORG}/usage"
    assert entry["query"] == {"startDate": [str(WINDOW[0])], "endDate": [str(WINDOW[1])]}
    assert entry["credentials"] == {"x-api-key": "idt_live_***"}
    assert (entry["status"], entry["served"], entry["operationId"]) == (200, "upstream", "getOrganizationUsage")
    assert entry["contentType"] == "application/json"
    assert entry["excerpt"].startswith('{"data": {"usageSms": "')
    assert entry["violationCount"] == 1
    assert entry["violations"][0]["pointer"] == (
        "#/paths/~1organizations~1{organizationId}~1usage/get/responses/200/content/application~1json/schema"
    )
    assert client.delete("/__admin/violations").get_json() == {"cleared": 1}
    assert client.get("/__admin/violations").get_json()["count"] == 0


def test_no_header_unless_asked_and_nothing_journaled_for_a_clean_exchange() -> None:
    client = _app(WsgiUpstream(REFERENCE)).test_client()
    assert "X-Contract-Violations" not in client.get(USAGE).headers  # no key: a request violation
    assert client.get("/__admin/violations").get_json()["count"] == 1
    client.delete("/__admin/violations")
    assert client.get(USAGE, headers=OWN).status_code == 200
    assert client.get("/__admin/violations").get_json()["count"] == 0
    requests = client.get("/__admin/requests").get_json()["requests"]
    assert [(r["status"], r["operationId"], r["example"]) for r in requests] == [
        (401, "getOrganizationUsage", None),
        (200, "getOrganizationUsage", None),
    ]


def test_the_502_option_answers_with_the_violations_instead() -> None:
    text_plain = next(impl for impl in DEFECTS if impl.name == "usage as text/plain")
    client = _app(WsgiUpstream(text_plain), proxy_reject_violations=True).test_client()
    answer = client.get(USAGE, headers=OWN)
    assert answer.status_code == 502
    assert answer.headers["X-Contract-Proxy"] == "contract-violation"
    assert answer.headers["X-Contract-Violations"].startswith("1; first: response content-type")
    body = answer.get_json()
    assert body["error"] == "BadGateway"
    assert body["message"].startswith("the upstream's answer (200) breaks the contract, 1 violation(s): 1) response")
    assert "#/paths/~1organizations~1{organizationId}~1usage/get/responses/200/content" in body["message"]
    entry = client.get("/__admin/violations").get_json()["violations"][0]
    assert (entry["status"], entry["served"]) == (200, "rejected")
    # Request violations alone do not turn an answer into a 502: the upstream refused correctly.
    assert client.get(USAGE).status_code == 401


def test_a_request_outside_the_spec_is_passed_on_and_marked() -> None:
    upstream = StaticUpstream(_reply(201, b"{}"))
    client = _app(upstream).test_client()
    answer = client.post("/organizations/x/notes", data=b'{"note": 1}', headers={"Content-Type": "application/json"})
    assert answer.status_code == 201  # not checked against the spec: not in it
    assert answer.headers["X-Contract-Proxy"] == "outside-spec"
    assert upstream.sent[0].body == b'{"note": 1}'
    [entry] = client.get("/__admin/violations").get_json()["violations"]
    assert [(v["side"], v["rule"]) for v in entry["violations"]] == [("request", "undocumented-operation")]


# ---- what the proxy answers itself --------------------------------------------------------------------
def test_upstream_down_is_a_502_in_the_error_shape() -> None:
    upstream = DownUpstream()
    answer = _app(upstream).test_client().get(USAGE, headers=OWN)
    assert answer.status_code == 502
    assert answer.headers["X-Contract-Proxy"] == "upstream-unreachable"
    assert answer.get_json() == {
        "error": "BadGateway",
        "message": "the upstream http://upstream.test failed: connection failed (refused, or no such host)",
    }


def test_the_fallback_serves_the_mocks_answer_and_says_so() -> None:
    upstream = DownUpstream()
    client = _app(upstream, proxy_fallback=True, proxy_violations_header=True).test_client()
    answer = client.get("/organizations/org_1/usage?startDate=1&endDate=2", headers={"X-API-Key": KEY})
    assert answer.status_code == 200
    assert answer.get_json() == {"data": {"usageSms": 1, "usageWhatsapp": 1, "usageEmail": 1, "usageSage": 1}}
    assert answer.headers["X-Contract-Proxy"] == ("fallback; upstream: connection failed (refused, or no such host)")
    refused = client.get("/organizations/org_1/usage?startDate=NaN&endDate=2", headers={"X-API-Key": KEY})
    assert refused.status_code == 422  # the mock's own validation
    [entry] = client.get("/__admin/violations").get_json()["violations"]
    assert (entry["status"], entry["served"]) == (422, "fallback")
    assert [v["rule"] for v in entry["violations"]] == ["invalid-parameter"]
    assert [r["example"] for r in client.get("/__admin/requests").get_json()["requests"]] == ["default", "default"]


@pytest.mark.parametrize(("length", "status"), [("0", 204), (None, 400)], ids=["an empty body", "no body"])
def test_the_fallback_tells_an_empty_body_from_none_as_the_mock_does(length: str | None, status: int) -> None:
    settings = {"MOCK_RELOAD_INTERVAL": 0, "MOCK_PROXY": "http://upstream.test", "MOCK_PROXY_FALLBACK": True}
    client = create_app(ROOT / "tests" / "specs" / "filestore.yaml", settings, upstream=DownUpstream()).test_client()
    headers = {"Authorization": "Bearer t", "Content-Type": "application/octet-stream"}
    environ = {"CONTENT_LENGTH": length} if length is not None else {}
    answer = client.put("/files/a.txt", data=b"", headers=headers, environ_overrides=environ)
    assert answer.status_code == status, answer.data
    assert answer.headers["X-Contract-Proxy"].startswith("fallback")


def test_no_fallback_for_an_answer_that_came_but_cannot_be_used() -> None:
    upstream = DownUpstream("the upstream's answer is larger than 10 MB", down=False)
    answer = _app(upstream, proxy_fallback=True).test_client().get(USAGE, headers=OWN)
    assert answer.status_code == 502
    assert "larger than 10 MB" in answer.get_json()["message"]


def test_a_request_body_over_the_limit_is_refused_before_it_goes_upstream() -> None:
    upstream = StaticUpstream(_reply())
    client = _app(upstream, proxy_max_body_mb=0.001).test_client()
    answer = client.put("/organizations/x/notes", data=b"x" * 2000)
    # 413 where the contract documents it; this one documents 422 for bad requests instead.
    assert answer.status_code == 422
    assert answer.headers["X-Contract-Proxy"] == "request-too-large"
    assert answer.get_json()["message"] == "the request body is larger than 1,048 bytes"
    assert upstream.sent == []


def test_a_fault_of_the_proxy_is_a_500_in_the_error_shape(caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        url = "http://upstream.test"

        def send(self, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes) -> Reply:
            raise RuntimeError("a bug")

    with caplog.at_level(logging.ERROR):
        answer = _app(Broken()).test_client().get(USAGE, headers=OWN)
    assert answer.status_code == 500
    assert answer.headers["X-Contract-Proxy"] == "internal-error"
    assert answer.get_json()["message"] == "the proxy failed to answer this request; its log says why"
    assert "RuntimeError: a bug" in caplog.text


# ---- browsers -------------------------------------------------------------------------------------
def test_a_preflight_is_answered_by_the_proxy_as_the_mock_answers_it() -> None:
    upstream = StaticUpstream(_reply())
    preflight = {
        "Origin": "http://localhost:3000",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-api-key",
    }
    answer = _app(upstream).test_client().options(f"/organizations/{ORG}/usage", headers=preflight)
    assert answer.status_code == 204
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.headers["Access-Control-Allow-Headers"] == "x-api-key"
    assert upstream.sent == []


@pytest.mark.parametrize(
    ("origins", "origin", "allowed"),
    [("*", "http://localhost:3000", "*"), ("http://app.test", "http://app.test", "http://app.test"), ("http://app.test", "http://evil.test", None)],
)  # fmt: skip
def test_the_proxys_cors_policy_replaces_the_upstreams(origins: str, origin: str, allowed: str | None) -> None:
    reply = _reply(
        200,
        GOOD_BODY,
        ("Access-Control-Allow-Origin", "https://elsewhere.test"),
        ("Access-Control-Expose-Headers", "X-Rate"),
    )
    client = _app(StaticUpstream(reply), cors_origins=origins).test_client()
    answer = client.get(USAGE, headers={**OWN, "Origin": origin})
    assert answer.headers.get("Access-Control-Allow-Origin") == allowed
    exposed = answer.headers.get("Access-Control-Expose-Headers")
    assert exposed == ("X-Rate, X-Contract-Proxy, X-Contract-Violations" if allowed else None)
    without = client.get(USAGE, headers=OWN).headers
    assert without["Access-Control-Allow-Origin"] == "https://elsewhere.test"
    # With a list of origins the proxy's answers depend on the origin: one without it says so too.
    assert without.get("Vary") == (None if origins == "*" else "Origin")


# ---- the key goes upstream and nowhere else ---------------------------------------------------------
def _echoing(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """An upstream that breaks the contract with the caller's key: in its body, reversed and in base64."""
    import base64

    key = environ.get("HTTP_X_API_KEY", "")
    body = json.dumps({"data": {"usageSms": key, "hint": key[::-1], "b64": base64.b64encode(key.encode()).decode()}})
    start_response("200 OK", [("Content-Type", f"text/plain; key={key}")])
    return [body.encode()]


@pytest.mark.parametrize("options", [{}, {"proxy_violations_header": True}, {"proxy_reject_violations": True}])
def test_the_key_appears_in_no_log_journal_or_header_of_the_proxy(
    options: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    upstream = WsgiUpstream(_echoing)
    client = _app(upstream, **options).test_client()
    secret = KEY.removeprefix("idt_live_")
    with caplog.at_level(logging.DEBUG):
        answer = client.get(USAGE + f"&apiKey={KEY}", headers=OWN)
        echoed = next(impl for impl in DEFECTS if impl.name == "error message echoes the key")
        client.application.wsgi_app.upstream = WsgiUpstream(echoed)  # type: ignore[attr-defined]
        client.get(USAGE, headers={"X-API-Key": KEY[:-1] + "Z"})
    assert dict(upstream.sent[0].headers)["X-Api-Key"] == KEY
    ours = [f"{name}: {value}" for name, value in answer.headers.items() if name.startswith("X-Contract")]
    if options:
        assert ours
    listing = client.get("/__admin/violations").get_json()
    first = listing["violations"][0]
    assert first["excerpt"].startswith('{"data": {"usageSms": "***", "hint": "***", "b64": "***')
    assert first["contentType"] == "text/plain; key=***"
    assert first["query"]["apiKey"] == ["***"]
    journals = json.dumps([listing, client.get("/__admin/requests").get_json()])
    for text in (caplog.text, journals, *ours, answer.get_data(as_text=True) if answer.status_code == 502 else ""):
        for form in (secret, secret[::-1], secret[:-1]):
            assert form not in text


def test_the_proxys_journal_redacts_a_key_sent_as_a_cookie() -> None:
    state = build_state(load_spec(ROOT / "tests" / "specs" / "forms.yaml"))
    request = MockRequest(
        "GET", "/subscriptions", {}, {"authorization": "Bearer abcdefghijklmnop"},
        {"SESSIONID": "s3cr3tSessionValue0123456789", "locale": "fr"},
    )  # fmt: skip
    assert _redacted(state, request)["credentials"] == {"authorization": "Bear***", "SESSIONID": "s3cr***"}
