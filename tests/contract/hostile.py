"""Hostile targets over raw sockets: servers that misbehave in ways no WSGI server would.

:func:`raw_server` serves a ``behaviour(conn, request)`` per connection (one request per
connection, then close). :func:`like_reference` answers like the correct reference
implementation, then lets a transformation spoil the answer: a gzip bomb, an endless
body, a byte a second, a 100,000-deep JSON array, the caller's key echoed in bodies and
headers, ANSI escapes.
"""

from __future__ import annotations

import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import cache

from werkzeug.test import Client

from tests.contract.usage_app import Implementation

__all__ = [
    "ANSI",
    "SCENARIOS",
    "Behaviour",
    "Response",
    "ansi_escapes",
    "body_a_byte_a_second",
    "byte_a_second",
    "deep_json",
    "echo_key",
    "endless_body",
    "gzip_bomb",
    "like_reference",
    "prepare",
    "raw_server",
    "read_request",
]

Behaviour = Callable[[socket.socket, bytes], None]
Response = tuple[int, list[tuple[str, str]], bytes]
ANSI = "\x1b[2J\x1b[H\x1b[1;32mALL CHECKS PASSED\x1b[0m\r"
BOMB_MB = 256


def read_request(conn: socket.socket) -> bytes:
    """The request head (or the first bytes, when they are not HTTP: a TLS handshake, say)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
        if not data[:1].isalpha():
            break
    return data


@contextmanager
def raw_server(behaviour: Behaviour) -> Iterator[str]:
    """Serve ``behaviour`` on a free loopback port; yield ``127.0.0.1:PORT``."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.settimeout(0.2)
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        with conn, suppress(OSError):
            behaviour(conn, read_request(conn))

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        server.close()


_REFERENCE = Implementation("reference")


def _reference(request: bytes) -> Response:
    head = request.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    line, *lines = head.split("\r\n")
    method, target, _ = line.split(" ", 2)
    headers = [tuple(part.strip() for part in h.split(":", 1)) for h in lines if ":" in h]
    answer = Client(_REFERENCE).open(target, method=method, headers=[(k, v) for k, v in headers])
    kept = [(k, v) for k, v in answer.headers.items() if k.lower() not in ("content-length", "connection")]
    return answer.status_code, kept, answer.get_data()


def _head(status: int, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"HTTP/1.1 {status} X", *(f"{k}: {v}" for k, v in headers), "Connection: close"]
    return ("\r\n".join(lines) + "\r\n").encode("latin-1")


def send(conn: socket.socket, response: Response) -> None:
    status, headers, body = response
    conn.sendall(_head(status, [*headers, ("Content-Length", str(len(body)))]) + b"\r\n" + body)


Spoil = Callable[[socket.socket, bytes, Response], None]


def like_reference(spoil: Spoil) -> Behaviour:
    """Answer like the reference implementation, through ``spoil(conn, request, answer)``."""

    def behaviour(conn: socket.socket, request: bytes) -> None:
        spoil(conn, request, _reference(request))

    return behaviour


def _on_success(spoil: Spoil) -> Spoil:
    def spoiled(conn: socket.socket, request: bytes, answer: Response) -> None:
        if answer[0] == 200:
            spoil(conn, request, answer)
        else:
            send(conn, answer)

    return spoiled


def prepare() -> None:
    """Build what the targets send that takes a while to make (the bomb), once, ahead of a run."""
    _bomb()


@cache
def _bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = b"0" * (1024 * 1024)
    return b"".join(compressor.compress(zeros) for _ in range(BOMB_MB)) + compressor.flush()


@_on_success
def gzip_bomb(conn: socket.socket, request: bytes, answer: Response) -> None:
    """A small gzip body that inflates to 256 MB."""
    send(conn, (200, [("Content-Type", "application/json"), ("Content-Encoding", "gzip")], _bomb()))


@_on_success
def endless_body(conn: socket.socket, request: bytes, answer: Response) -> None:
    conn.sendall(_head(200, [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")]) + b"\r\n")
    chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
    while True:
        conn.sendall(chunk)


@_on_success
def byte_a_second(conn: socket.socket, request: bytes, answer: Response) -> None:
    status, headers, body = answer
    for byte in _head(status, [*headers, ("Content-Length", str(len(body)))]) + b"\r\n" + body:
        conn.sendall(bytes([byte]))
        time.sleep(1)


@_on_success
def body_a_byte_a_second(conn: socket.socket, request: bytes, answer: Response) -> None:
    """The head at once (``Connection: close``: ``http.client`` lets go of the socket), then a body byte a second."""
    status, headers, body = answer
    conn.sendall(_head(status, [*headers, ("Content-Length", str(len(body)))]) + b"\r\n")
    for byte in body:
        conn.sendall(bytes([byte]))
        time.sleep(1)


@_on_success
def deep_json(conn: socket.socket, request: bytes, answer: Response) -> None:
    send(conn, (200, [("Content-Type", "application/json")], b"[" * 100_000 + b"]" * 100_000))


def long_number(conn: socket.socket, request: bytes, answer: Response) -> None:
    body = b'{"data": {"usageSms": ' + b"9" * 5000 + b', "usageWhatsapp": 0, "usageEmail": 0, "usageSage": 0}}'
    send(conn, (200, [("Content-Type", "application/json")], body))


def _sent_key(request: bytes) -> str:
    for line in request.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() == "x-api-key":
            return value.strip()
    return "none"


def echo_key(conn: socket.socket, request: bytes, answer: Response) -> None:
    """Every answer echoes the key it was sent: in a header, the content type and the body."""
    status, headers, body = answer
    key = _sent_key(request)
    headers = [(k, f"{v}; key={key}" if k.lower() == "content-type" else v) for k, v in headers]
    spoiled = body.replace(b"}", f', "debug": "key {key} reversed {key[::-1]}"}}'.encode(), 1)
    send(conn, (status, [*headers, ("X-Debug-Key", key)], spoiled))


def ansi_escapes(conn: socket.socket, request: bytes, answer: Response) -> None:
    """Every answer carries ANSI escapes and a carriage return; successes are not even JSON."""
    status, headers, body = answer
    if status == 200:
        send(conn, (200, [("Content-Type", "text/plain")], f"{ANSI} usage: none".encode()))
        return
    send(conn, (status, headers, body.replace(b'"message": "', f'"message": "{ANSI}'.encode(), 1)))


# (name, spoil, what the output must say): answers like a correct implementation, spoiled on
# every success (or every answer). A byte a second never lets a 2 s read timeout fire: only
# the whole-exchange deadline (6 s) ends it.
# (name, behaviour, what the run must say, CONTRACT_TIMEOUT in seconds)
SCENARIOS: list[tuple[str, Spoil, str, float]] = [
    ("gzip bomb", gzip_bomb, "larger than 10 MB", 2),
    ("endless body", endless_body, "larger than 10 MB", 2),
    ("a byte a second", byte_a_second, "no complete answer within 6 s", 2),
    ("100,000-deep JSON", deep_json, "nested too deeply", 2),
    ("a number of 5,000 digits", long_number, "a number of more digits than can be read", 2),
    ("key echoed in bodies and headers", echo_key, "error_body_leak_free", 2),
    ("ANSI escapes", ansi_escapes, "\\x1b[2J", 2),
]
