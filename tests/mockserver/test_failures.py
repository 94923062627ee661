"""The mock's own faults, the admin endpoints' refusals and long log lines, on the real server."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from tests.conftest import KEY
from tests.mockserver.crashing_mock import SECRET
from tests.server import get_json, mock_process, wait_until

pytestmark = pytest.mark.server
GOOD = "/organizations/org_1/usage?startDate=1735689600000&endDate=1738367999999"


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    log = tmp_path_factory.mktemp("failures") / "mock.log"
    with mock_process(log=log, module="tests.mockserver.crashing_mock") as (_, base):
        yield base, log


def _raw(url: str, method: str = "GET") -> tuple[int, Message, bytes]:
    """Status, headers (looked up in any case) and body."""
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_an_engine_fault_is_a_json_500_a_journal_entry_and_a_logged_traceback(mock: tuple[str, Path]) -> None:
    base, log = mock
    status, headers, body = _raw(base + "/organizations/org_1/crash")
    assert status == 500
    assert headers["Content-Type"] == "application/json"
    assert b"Traceback" not in body
    assert SECRET.encode() not in body
    answer = json.loads(body)
    assert set(answer) == {"error", "message"}  # the spec's error shape (it documents no 500 example)
    assert answer["error"] == "InternalServerError"
    journal = get_json(base + "/__admin/requests")[1]["requests"]
    assert any(e["status"] == 500 and e["path"] == "/organizations/org_1/crash" for e in journal)
    wait_until(lambda: SECRET in log.read_text(), timeout=10, what="the traceback in the log")
    text = log.read_text()
    assert "unexpected error answering GET /organizations/org_1/crash" in text
    assert "Traceback (most recent call last)" in text
    assert f"RuntimeError: a fault inside the engine ({SECRET})" in text
    assert get_json(base + GOOD, {"X-API-Key": KEY})[0] == 200  # and the server goes on


@pytest.mark.parametrize(
    ("method", "path", "status", "error", "allow"),
    [
        ("POST", "/__admin/health", 405, "MethodNotAllowed", "GET, HEAD, OPTIONS"),
        ("PUT", "/__admin/requests", 405, "MethodNotAllowed", "DELETE, GET, HEAD, OPTIONS"),
        ("GET", "/__admin/nothing", 404, "NotFound", None),
    ],
)
def test_admin_refusals_are_the_admin_endpoints_own(
    method: str, path: str, status: int, error: str, allow: str | None, mock: tuple[str, Path]
) -> None:
    base, _ = mock
    code, headers, body = _raw(base + path, method)
    assert code == status
    assert headers.get("Allow") == allow
    answer = json.loads(body)
    assert answer["error"] == error  # not the API's ValidationError or ResourceNotFound example
    assert isinstance(answer["message"], str)
    assert answer["message"]


def test_log_lines_cut_long_queries(mock: tuple[str, Path]) -> None:
    base, log = mock
    assert get_json(base + GOOD + "&pad=" + "x" * 8000, {"X-API-Key": KEY})[0] == 200
    wait_until(lambda: "characters)" in log.read_text(), timeout=10, what="the log line")
    (line,) = [line for line in log.read_text().splitlines() if "&pad=" in line]
    assert len(line) < 400
    assert f"... ({len(GOOD) + 5 + 8000:,} characters) 200 " in line
