"""``mockserver --proxy`` as users run it: Granian workers in front of an implementation on loopback."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from contextlib import suppress
from email.message import Message
from pathlib import Path

import pytest

from mockserver.app import create_app
from tests.conftest import SPEC_PATH
from tests.contract import hostile
from tests.contract.harness import serving
from tests.contract.implementations import KEY, ORG, WINDOW, Implementation
from tests.server import get_json, running_mock

pytestmark = pytest.mark.server

USAGE = f"/organizations/{ORG}/usage?startDate={WINDOW[0]}&endDate={WINDOW[1]}"
# Counts as strings (a response defect), and error messages that echo the key (a leak the proxy must not repeat).
LEAKY = Implementation("counts as strings, echoes the key", string_counts=True, echo_key=True)


def _get(url: str, headers: dict[str, str]) -> tuple[int, Message, bytes]:
    """Status, headers (looked up in any case) and body."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_the_proxy_checks_forwards_journals_and_falls_back(tmp_path: Path) -> None:
    log = tmp_path / "proxy.log"
    secret = KEY.removeprefix("idt_live_")
    with (
        serving(LEAKY) as upstream,
        running_mock("--proxy", upstream, "--violations-header", "--fallback", log=log) as proxy,
    ):
        status, headers, body = _get(proxy + USAGE, {"X-API-Key": KEY})
        assert status == 200
        assert b'"usageSms": "' in body  # the upstream's answer, unchanged
        assert str(headers["X-Contract-Violations"]).startswith("1; first: response body-schema: at /data/")
        wrong = KEY[:-1] + ("A" if KEY[-1] != "A" else "B")
        status, headers, body = _get(proxy + USAGE, {"X-API-Key": wrong})
        assert status == 401
        assert wrong.encode() in body  # what the upstream said; the proxy passes it on as it is
        assert "X-Contract-Violations" not in headers  # a documented 401 in the error shape
        # Every worker reads the same journal.
        for _ in range(6):
            listing = get_json(proxy + "/__admin/violations")[1]
            assert [(e["status"], e["violations"][0]["rule"]) for e in listing["violations"]] == [(200, "body-schema")]
    # The upstream gone: the mock answers, and says so.
    with running_mock("--proxy", upstream, "--fallback", log=tmp_path / "fallback.log") as proxy:
        status, headers, body = _get(proxy + "/organizations/org_1/usage?startDate=1&endDate=2", {"X-API-Key": KEY})
        assert status == 200
        assert str(headers["X-Contract-Proxy"]).startswith("fallback; upstream: connection failed")
    text = log.read_text()
    assert "contract violation: GET /organizations/org_alpha/usage?startDate=" in text
    assert "response body-schema" in text
    assert "key=idt_live_***" in text
    assert secret not in text
    assert secret[:-1] not in text


def _silent(conn: socket.socket, request: bytes) -> None:
    time.sleep(3)


def _too_big(conn: socket.socket, request: bytes) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    with suppress(OSError):
        conn.sendall(head + b"%x\r\n%s\r\n" % (65536, b" " * 65536) * 161)  # 10.06 MB, no length declared


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [(_silent, "no answer within 0.5 s"), (_too_big, "the upstream's answer is larger than 10 MB")],
    ids=["silent", "past 10 MB"],
)
def test_a_slow_or_oversized_upstream_gets_a_502_in_time(behaviour: hostile.Behaviour, message: str) -> None:
    with hostile.raw_server(behaviour) as address:
        config = {"MOCK_RELOAD_INTERVAL": 0, "MOCK_PROXY": f"http://{address}", "MOCK_PROXY_TIMEOUT": 0.5}
        app = create_app(SPEC_PATH, config)
        started = time.monotonic()
        answer = app.test_client().get(USAGE, headers={"X-API-Key": KEY})
        elapsed = time.monotonic() - started
        app.wsgi_app.upstream.close()  # type: ignore[attr-defined]
    assert answer.status_code == 502
    assert answer.get_json() == {"error": "BadGateway", "message": f"the upstream http://{address} failed: {message}"}
    assert elapsed < 3  # 0.5 s per read, 1.5 s per exchange; generous for a busy machine
