"""The real server's request lines: every request's line once, whichever worker answered it, none forged."""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from pathlib import Path

import pytest

from tests.conftest import KEY
from tests.server import mock_process

pytestmark = pytest.mark.server
GOOD = "/organizations/org_1/usage?startDate=1735689600000&endDate=1738367999999"
THREADS, EACH = 4, 150


def _send(base: str, targets: list[str]) -> None:
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        for target in targets:
            connection.request("GET", target, headers={"X-API-Key": KEY})
            connection.getresponse().read()
    finally:
        connection.close()


def test_every_request_has_its_line_once_and_a_request_cannot_forge_one(tmp_path: Path) -> None:
    log = tmp_path / "mock.log"
    forged = "/organizations/org_1%0A2026-01-01%2000:00:00,000%20INFO%20mockserver:%20GET%20/forged%1B[2J/usage"
    with mock_process("--workers", "2", log=log) as (_, base):
        batches = [[f"{GOOD}&n={thread}-{number}" for number in range(EACH)] for thread in range(THREADS)]
        senders = [threading.Thread(target=_send, args=(base, batch)) for batch in batches]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        _send(base, [forged])
    # The server has stopped: its main process wrote the lines of every entry first.
    lines = log.read_text().splitlines()
    request_lines = [line for line in lines if " INFO mockserver: GET /organizations/org_1/usage?" in line]
    tags = sorted(line.split("&n=")[1].split(" ")[0] for line in request_lines)
    assert tags == sorted(f"{thread}-{number}" for thread in range(THREADS) for number in range(EACH))
    assert not [line for line in lines if "left out" in line]
    assert not [line for line in lines if "/forged" in line and " INFO mockserver: GET /forged" in line[:60]]
    (shown,) = [line for line in lines if "/forged" in line]
    assert "GET /organizations/org_1\\n2026-01-01 00:00:00,000 INFO mockserver: GET /forged\\x1b[2J/usage " in shown
