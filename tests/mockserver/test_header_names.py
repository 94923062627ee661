"""Header names through the real server (Granian): an ``api_key`` header, sent over a raw socket.

HTTP compares header names case-insensitively and tells ``api_key`` from ``api-key``. WSGI
cannot: Granian hands both to the application as ``HTTP_API_KEY`` (the later one when a
request carries both). These tests pin down what the mock does with that, over a socket,
so that no client library rewrites the names on the way.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.server import running_mock

pytestmark = pytest.mark.server

PETSHOP = ROOT / "tests" / "specs" / "petshop.yaml"


def _exchange(base: str, head: str, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"{head}\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode() + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    raw_head, _, payload = data.partition(b"\r\n\r\n")
    status_line, *lines = raw_head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, payload


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log: Path = tmp_path_factory.mktemp("headers") / "mock.log"
    with running_mock("--spec", str(PETSHOP), "--workers", "1", log=log) as url:
        yield url


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("api_key: secret", 200),  # the documented name
        ("API_KEY: secret", 200),  # names are case-insensitive
        ("api-key: secret", 200),  # WSGI cannot tell it from api_key: documented in the README
        ("api_key: secret\r\napi-key: other", 200),  # both spellings: Granian keeps the later one
        ("apikey: secret", 401),
        ("", 401),
    ],
    ids=["underscore", "upper case", "dash", "both", "another name", "none"],
)
def test_an_api_key_header_named_with_an_underscore(base: str, header: str, status: int) -> None:
    head = "GET /store/inventory HTTP/1.1" + (f"\r\n{header}" if header else "")
    got, headers, payload = _exchange(base, head)
    assert got == status, payload
    assert headers["content-type"] == "application/json"
    body = json.loads(payload)
    if status == 401:  # the spec's default error shape, with the message where it fits
        assert body == {"code": 401, "message": "credentials are required: send header api_key"}


def test_a_json_body_over_the_socket_is_validated(base: str) -> None:
    good = json.dumps({"name": "Bella", "photoUrls": ["https://img.example.com/b.jpg"]}).encode()
    head = f"POST /pets HTTP/1.1\r\napi_key: secret\r\nContent-Type: application/json\r\nContent-Length: {len(good)}"
    status, headers, _ = _exchange(base, head, good)
    assert (status, headers["location"]) == (201, "/pets/10")
    bad = b'{"name": 5}'
    head = f"POST /pets HTTP/1.1\r\napi_key: secret\r\nContent-Type: application/json\r\nContent-Length: {len(bad)}"
    status, headers, payload = _exchange(base, head, bad)
    assert (status, headers["content-type"]) == (400, "application/problem+json")
    assert "photoUrls" in json.loads(payload)["detail"]
