"""The proxy's transport: the upstream's answer within the limits, or one clear reason why not.

The tests with an upstream on loopback (correct, down, silent, trickling, too big) are
marked ``server``; decoding and sizes are plain tables.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

from mockserver.forwarding import HttpUpstream, Unreachable, decode_body, size
from tests.contract import hostile
from tests.contract.harness import serving
from tests.contract.implementations import KEY
from tests.contract.tls import make_private_ca

MB = 1024 * 1024


@contextmanager
def _upstream(url: str, *, timeout: float, max_body: int) -> Iterator[HttpUpstream]:
    upstream = HttpUpstream(url, timeout=timeout, max_body=max_body)
    try:
        yield upstream
    finally:
        upstream.close()


def _echo(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Says what it was sent: the method, target and headers, and the body's length."""
    sent = {k: v for k, v in environ.items() if k.startswith("HTTP_")}
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    text = f"{environ['REQUEST_METHOD']} {environ.get('REQUEST_URI')} {sorted(sent.items())} {len(body)}"
    start_response("203 Echoed", [("Content-Type", "text/plain"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
    return [text.encode()]


@pytest.mark.server
def test_a_request_goes_to_the_base_path_and_comes_back_whole() -> None:
    with serving(_echo) as base, _upstream(base + "/api/", timeout=2, max_body=MB) as upstream:
        reply = upstream.send("POST", "/x?q=%20", [("X-Api-Key", "k"), ("Accept", "*/*")], b"12345")
        again = upstream.send("GET", "/y", [], b"")
    assert (reply.status, reply.reason) == (203, "Echoed")
    assert reply.body.startswith(b"POST /api/x?q=%20 ")
    assert b"('HTTP_X_API_KEY', 'k')" in reply.body
    assert b"HTTP_HOST', '127.0.0.1:" in reply.body  # the upstream's host, not the caller's
    assert reply.body.endswith(b" 5")
    assert [v for n, v in reply.headers if n == "Set-Cookie"] == ["a=1", "b=2"]
    assert again.body.startswith(b"GET /api/y ")


def _short(conn: socket.socket, request: bytes) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 93\r\n\r\n" + b"{}" * 40)
    conn.close()


@pytest.mark.server
def test_a_body_cut_short_of_its_content_length_is_no_answer() -> None:
    # Passed on as it came, it would be a whole-looking answer (the proxy sets its own Content-Length).
    with (
        hostile.raw_server(_short) as address,
        _upstream(f"http://{address}", timeout=2, max_body=MB) as upstream,
        pytest.raises(Unreachable, match="connection closed 13 bytes short of the Content-Length"),
    ):
        upstream.send("GET", "/", [], b"")


@pytest.mark.server
def test_an_upstream_that_is_down() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with _upstream(f"http://127.0.0.1:{port}", timeout=2, max_body=MB) as upstream:
        started = time.monotonic()
        with pytest.raises(Unreachable, match=r"connection failed \(refused, or no such host\)") as caught:
            upstream.send("GET", "/", [], b"")
        assert caught.value.down
        assert time.monotonic() - started < 2


def _silent(conn: socket.socket, request: bytes) -> None:
    time.sleep(3)


def _trickle(conn: socket.socket, request: bytes) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n" + b" " * 100:
        conn.sendall(bytes([byte]))
        time.sleep(0.1)


def _trickle_body(conn: socket.socket, request: bytes) -> None:
    # The head at once, saying the connection closes (http.client lets go of the socket), then the body slowly.
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
    for _ in range(100):
        conn.sendall(b" ")
        time.sleep(0.1)


@pytest.mark.server
@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        (_silent, r"no answer within 0.5 s"),
        (_trickle, r"no complete answer within 1.5 s"),
        (_trickle_body, r"no complete answer within 1.5 s"),
    ],
    ids=["silent", "a byte every 0.1 s", "a closing head, then a body byte every 0.1 s"],
)
def test_an_upstream_too_slow_is_given_up_at_the_deadline(behaviour: hostile.Behaviour, reason: str) -> None:
    with (
        hostile.raw_server(behaviour) as address,
        _upstream(f"http://{address}", timeout=0.5, max_body=MB) as upstream,
    ):
        started = time.monotonic()
        with pytest.raises(Unreachable, match=reason) as caught:
            upstream.send("GET", "/", [], b"")
        elapsed = time.monotonic() - started
    assert caught.value.down
    assert elapsed < 3  # 0.5 s per read, 1.5 s for the whole exchange; generous for a busy machine


def _sized(declared: bool, size_: int) -> hostile.Behaviour:
    def behaviour(conn: socket.socket, request: bytes) -> None:
        length = f"Content-Length: {size_}" if declared else "Transfer-Encoding: chunked"
        conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{length}\r\n\r\n".encode())
        chunk = b"x" * 65536
        sent = 0
        with suppress(OSError):
            while sent < size_:
                piece = chunk[: size_ - sent]
                conn.sendall(piece if declared else b"%x\r\n%s\r\n" % (len(piece), piece))
                sent += len(piece)
            if not declared:
                conn.sendall(b"0\r\n\r\n")

    return behaviour


@pytest.mark.server
@pytest.mark.parametrize(
    ("declared", "body", "ok"),
    [(True, 10 * MB, True), (True, 10 * MB + 1, False), (False, 10 * MB, True), (False, 10 * MB + 1, False)],
    ids=["10 MB declared", "declared past 10 MB", "10 MB chunked", "chunked past 10 MB"],
)
def test_ten_megabytes_pass_and_one_byte_more_does_not(declared: bool, body: int, ok: bool) -> None:
    with (
        hostile.raw_server(_sized(declared, body)) as address,
        _upstream(f"http://{address}", timeout=2, max_body=10 * MB) as upstream,
    ):
        started = time.monotonic()
        if ok:
            assert len(upstream.send("GET", "/", [], b"").body) == body
        else:
            with pytest.raises(Unreachable, match="larger than 10 MB") as caught:
                upstream.send("GET", "/", [], b"")
            assert not caught.value.down
        assert time.monotonic() - started < 5


@pytest.mark.server
def test_an_endless_body_stops_at_the_limit() -> None:
    endless = hostile.like_reference(hostile.endless_body)
    with (
        hostile.raw_server(endless) as address,
        _upstream(f"http://{address}", timeout=2, max_body=MB) as upstream,
        pytest.raises(Unreachable, match="larger than 1 MB"),
    ):
        upstream.send("GET", "/organizations/org_alpha/usage?startDate=1&endDate=2", [("X-API-Key", KEY)], b"")


@contextmanager
def _keep_alive_then_close() -> Iterator[str]:
    """Answers one request per connection on a keep-alive response, then closes it: a stale connection."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                hostile.read_request(conn)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        server.close()


@pytest.mark.server
def test_a_connection_closed_while_idle_is_retried_once_for_a_get() -> None:
    with _keep_alive_then_close() as base, _upstream(base, timeout=2, max_body=MB) as upstream:
        assert upstream.send("GET", "/", [], b"").body == b"ok"
        time.sleep(0.1)
        assert upstream.send("GET", "/", [], b"").body == b"ok"
        time.sleep(0.1)
        with pytest.raises(Unreachable, match="closed or reset"):
            upstream.send("POST", "/", [], b"x")  # not idempotent: not sent twice


@pytest.mark.parametrize(
    ("body", "encoding", "expected"),
    [
        (b"plain", None, (b"plain", None)),
        (gzip.compress(b"zipped"), "gzip", (b"zipped", None)),
        (zlib.compress(b"deflated"), "deflate", (b"deflated", None)),
        (b"not gzip", "gzip", (b"", "the gzip body cannot be decoded")),
        (gzip.compress(b"0" * (MB + 1)), "gzip", (b"", "the gzip body inflates to more than 1 MB: unchecked")),
        (
            b"?",
            "br",
            (b"", "Content-Encoding 'br' is not one the proxy asked for (gzip, deflate): the body is unchecked"),
        ),
    ],
    ids=["identity", "gzip", "deflate", "broken", "a bomb", "br"],
)
def test_decode_body(body: bytes, encoding: str | None, expected: tuple[bytes, str | None]) -> None:
    assert decode_body(body, encoding, MB) == expected


@pytest.mark.parametrize(("limit", "shown"), [(10 * MB, "10 MB"), (1048, "1,048 bytes"), (MB + 1, "1,048,577 bytes")])
def test_size(limit: int, shown: str) -> None:
    assert size(limit) == shown


@pytest.mark.server
def test_an_https_upstream_signed_by_a_private_ca(tmp_path: Path) -> None:
    ca, certificate, key = make_private_ca(tmp_path)
    with serving(_echo, ssl_context=(str(certificate), str(key))) as base:
        trusting = HttpUpstream(base, timeout=2, max_body=MB, ca_bundle=str(ca))
        try:
            assert trusting.send("GET", "/", [], b"").status == 203
        finally:
            trusting.close()
        with _upstream(base, timeout=2, max_body=MB) as untrusting, pytest.raises(Unreachable, match="TLS error"):
            untrusting.send("GET", "/", [], b"")
