"""Reliability of the real server: hostile inputs, secrets, exposure, graceful shutdown."""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.cli import admin_exposure
from tests.conftest import DATA_PATH, KEY
from tests.server import mock_process, running_mock

pytestmark = pytest.mark.server
GOOD = "/organizations/org_1/usage?startDate=1735689600000&endDate=1738367999999"


@pytest.fixture(scope="module")
def data_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    log = tmp_path_factory.mktemp("mock") / "mock.log"
    with running_mock("--data", str(DATA_PATH), log=log) as base:
        yield base, log


def _raw(base: str, request: bytes, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes; return status, headers and body of the answer (connection closed after)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body


def _get(target: str, *, method: str = "GET", headers: dict[str, str] | None = None, body: bytes = b"") -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", f"X-API-Key: {KEY}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


HOSTILE = [
    ("malformed escape in path", _get("/organizations/%zz/usage?startDate=1&endDate=2"), {404, 403}),
    ("malformed escape in query", _get("/organizations/org_1/usage?startDate=%zz&endDate=2"), {422}),
    ("invalid UTF-8 in path", _get("/organizations/%ff%fe/usage?startDate=1&endDate=2"), {404}),
    ("invalid UTF-8 in query", _get("/organizations/org_1/usage?startDate=%ff&endDate=2"), {422}),
    ("NUL in path", _get("/organizations/org%001/usage?startDate=1&endDate=2"), {404}),
    ("NUL in query", _get("/organizations/org_1/usage?startDate=1%00&endDate=2"), {422}),
    # The HTTP layer (Granian, on the http crate) caps a request target at 65,534 bytes.
    ("64 KB URL", _get("/organizations/org_1/usage?startDate=1&endDate=2&pad=" + "a" * 65000), {200}),
    ("64 KB path", _get("/organizations/" + "a" * 65000 + "/usage?startDate=1&endDate=2"), {404}),
    (
        "100 repeated parameters",
        _get("/organizations/org_1/usage?" + "&".join(["startDate=1"] * 100) + "&endDate=2"),
        {422},
    ),
    ("16 KB header value", _get(GOOD, headers={"X-Padding": "b" * 16384}), {200}),
    ("16 KB key", _get(GOOD, headers={"X-API-Key": "idt_live_" + "c" * 16384}), {401}),
    ("dot-dot segments", _get("/organizations/../usage?startDate=1&endDate=2"), {404}),
    ("dot-dot into admin", _get("/organizations/../__admin/requests"), {404, 200}),
    ("TRACE", _get(GOOD, method="TRACE"), {405}),
    ("PROPFIND", _get(GOOD, method="PROPFIND"), {405}),
    ("body on GET", _get(GOOD, body=b'{"a":1}' * 100), {200}),
    ("unknown Prefer", _get(GOOD, headers={"Prefer": "handling=strict, wait=10, x=y;z"}), {200}),
    ("bad Prefer value", _get(GOOD, headers={"Prefer": "code=abc"}), {422}),
    ("huge delay asked", _get(GOOD, headers={"Prefer": "delay=99999999999"}), {422}),
    ("malformed cookie", _get(GOOD, headers={"Cookie": '";;;===" a=b; =; \\x'}), {200}),
]


@pytest.mark.parametrize(("name", "request_bytes", "statuses"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_input_gets_a_clean_answer(
    name: str, request_bytes: bytes, statuses: set[int], data_mock: tuple[str, Path]
) -> None:
    base, _ = data_mock
    status, headers, body = _raw(base, request_bytes)
    assert status in statuses, (status, body[:300])
    assert status < 500
    if status != 200 or "json" in headers.get("content-type", ""):
        parsed = json.loads(body)
        if status >= 400 and "error" in parsed:
            assert set(parsed) == {"error", "message"}
            assert all(isinstance(v, str) for v in parsed.values())
    assert b"Traceback" not in body


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /organizations/org_1/usage HTTP/1.1\r\nHost: x\r\nX-Bad: a\x00b\r\n\r\n",
        b"GET /organizations/org_1/usage HTTP/1.1\r\nHost: x\r\nCookie: a=\x7f\r\n\r\n",
        ("GET /organizations/org_1/usage?pad=" + "a" * 70000 + " HTTP/1.1\r\nHost: x\r\n\r\n").encode(),
    ],
    ids=["NUL byte in a header", "control character in a header", "URL over 65,534 bytes"],
)
def test_malformed_http_is_refused_cleanly(request_bytes: bytes, data_mock: tuple[str, Path]) -> None:
    """Refused by the HTTP layer before the app (400 or 414, no body), never a 5xx or a hang."""
    base, _ = data_mock
    status, _, _ = _raw(base, request_bytes)
    assert status in (400, 414)
    # The server is still serving after every hostile request of this module.
    with urllib.request.urlopen(urllib.request.Request(base + GOOD, headers={"X-API-Key": KEY}), timeout=5) as response:
        assert response.status == 200


def test_keys_never_reach_logs_journal_or_errors(tmp_path: Path) -> None:
    log = tmp_path / "mock.log"
    leaked_in: list[str] = []
    with running_mock("--data", str(DATA_PATH), log=log) as base:
        bodies = []
        for key in (KEY, KEY + "0", KEY[:-1], KEY.upper()):
            request = urllib.request.Request(base + GOOD, headers={"X-API-Key": key})
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    bodies.append(response.read().decode())
            except urllib.error.HTTPError as error:
                bodies.append(error.read().decode())
        with urllib.request.urlopen(base + "/__admin/requests", timeout=5) as response:
            journal = response.read().decode()
    channels = {"log": log.read_text(), "journal": journal, "responses": "\n".join(bodies)}
    for channel, text in channels.items():
        if KEY[9:] in text or KEY[9:].upper() in text:
            leaked_in.append(channel)
    assert leaked_in == []
    assert channels["journal"].count("idt_live_***") >= 3


def test_sigterm_drains_in_flight_requests(tmp_path: Path) -> None:
    log = tmp_path / "mock.log"
    with mock_process(log=log) as (process, base):
        result: dict[str, object] = {}

        def slow_request() -> None:
            request = urllib.request.Request(base + GOOD, headers={"X-API-Key": KEY, "Prefer": "delay=1500"})
            with urllib.request.urlopen(request, timeout=10) as response:
                result["status"] = response.status
                result["body"] = json.loads(response.read())

        thread = threading.Thread(target=slow_request)
        thread.start()
        time.sleep(0.4)
        process.send_signal(signal.SIGTERM)
        thread.join(timeout=15)
        assert result.get("status") == 200, log.read_text()
        assert process.wait(timeout=20) == 0


@pytest.mark.parametrize(
    ("host", "token", "enabled", "fragment"),
    [
        ("127.0.0.1", None, True, "open on loopback"),
        ("localhost", None, True, "open on loopback"),
        ("::1", None, True, "open on loopback"),
        ("0.0.0.0", None, False, "admin endpoints are off"),
        ("192.0.2.10", None, False, "not loopback"),
        ("0.0.0.0", "s3cret", True, "require the X-Admin-Token header"),
    ],
)
def test_admin_exposure(host: str, token: str | None, enabled: bool, fragment: str) -> None:
    on, message = admin_exposure(host, token)
    assert on is enabled
    assert fragment in message
