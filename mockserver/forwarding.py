"""Send a request on to the upstream server, bounded in time and size, and read its answer.

:class:`HttpUpstream` is the validating proxy's transport, on the standard library's
``http.client`` (which reads no proxy settings from the environment, so a request goes
to the upstream and nowhere else):

* a socket timeout per connect and per read, and a deadline for the whole exchange (three
  times the timeout) enforced by :class:`~usage_contract_kit.deadlines.Deadlines`, so an upstream
  trickling its answer a byte a second cannot hold a thread longer;
* an answer larger than the body limit (10 MB by default) is refused: declared by its
  ``Content-Length`` before it is read, or counted while it is read;
* one keep-alive connection per thread, retried once on a fresh one when the upstream
  closed it while idle (idempotent methods only);
* TLS verified against the system's certificate authorities, or a private one.

It raises :class:`Unreachable` when no usable answer came; ``down`` says whether the
upstream gave none at all (refused, unknown host, TLS error, silent, closed), when the
proxy may fall back to the mock's own answer. Anything with the same ``send`` can stand in
for it (:class:`Upstream`): the tests pass an in-process one.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from usage_contract_kit.connections import KeepAlive
from usage_contract_kit.deadlines import Deadlines

__all__ = ["IDEMPOTENT", "HttpUpstream", "Reply", "Unreachable", "Upstream", "decode_body", "size"]

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
_CHUNK = 65536


@dataclass(frozen=True)
class Reply:
    """The upstream's answer as received: every header line in order, the body as sent (maybe compressed)."""

    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class Unreachable(Exception):
    """No usable answer from the upstream; ``down``: none at all (the proxy may fall back)."""

    def __init__(self, reason: str, *, down: bool) -> None:
        super().__init__(reason)
        self.down = down


class Upstream(Protocol):
    url: str

    def send(self, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes) -> Reply: ...


class _TooLarge(Exception):
    pass


class HttpUpstream:
    """The upstream server at ``url`` (``http://`` or ``https://``, with any base path)."""

    def __init__(self, url: str, *, timeout: float, max_body: int, ca_bundle: str | None = None) -> None:
        parts = urlsplit(url)
        self.url = url
        self.timeout = timeout
        self.deadline = 3 * timeout
        self.max_body = max_body
        self._https = parts.scheme == "https"
        self._host = parts.hostname or ""
        self._port = parts.port or (443 if self._https else 80)
        self._base_path = parts.path.rstrip("/")
        tls = ssl.create_default_context(cafile=ca_bundle) if self._https else None
        self._connections = KeepAlive(self._host, self._port, tls)
        self._deadlines = Deadlines("upstream-deadlines")

    def __repr__(self) -> str:
        return f"HttpUpstream({self.url!r})"

    def send(self, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes) -> Reply:
        """Forward one request; ``target`` is the path and query, appended to the upstream's base path."""
        path = self._base_path + target
        for attempt in (1, 2):
            connection, reused = self._connections.get(self.timeout)
            watch = self._deadlines.arm(connection, self.deadline)
            try:
                reply, keep = self._talk(connection, method, path, headers, body)
            except _TooLarge:
                self._connections.drop(connection)
                self._deadlines.disarm(watch)
                raise Unreachable(f"the upstream's answer is larger than {size(self.max_body)}", down=False) from None
            except (OSError, http.client.HTTPException) as exc:
                self._connections.drop(connection)
                if self._deadlines.disarm(watch):
                    raise Unreachable(f"no complete answer within {self.deadline:g} s", down=True) from None
                if reused and attempt == 1 and method in IDEMPOTENT and _stale(exc):
                    continue  # the upstream closed an idle keep-alive connection: once more on a new one
                raise _unreachable(exc, self.timeout) from None
            if self._deadlines.disarm(watch):  # the socket was shut at the deadline: the answer may be cut short
                self._connections.drop(connection)
                raise Unreachable(f"no complete answer within {self.deadline:g} s", down=True)
            if not keep:
                self._connections.drop(connection)
            return reply
        raise AssertionError("unreachable")  # pragma: no cover

    def _talk(
        self,
        connection: http.client.HTTPConnection,
        method: str,
        path: str,
        headers: Sequence[tuple[str, str]],
        body: bytes,
    ) -> tuple[Reply, bool]:
        connection.putrequest(method, path or "/", skip_accept_encoding=True)  # Host: the upstream's
        for name, value in headers:
            connection.putheader(name, value.encode("latin-1", "replace"))  # WSGI strings are latin-1
        if body or method in ("POST", "PUT", "PATCH"):
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body or None)
        response = connection.getresponse()
        try:
            declared = response.getheader("content-length")
            if declared and declared.isdigit() and int(declared) > self.max_body:
                raise _TooLarge
            pieces: list[bytes] = []
            size = 0
            while chunk := response.read1(_CHUNK):
                size += len(chunk)
                if size > self.max_body:
                    pieces.clear()
                    raise _TooLarge
                pieces.append(chunk)
            if response.length:  # Content-Length declared more than came: the connection closed early
                pieces.clear()
                raise http.client.IncompleteRead(b"", response.length)
            reply = Reply(response.status, response.reason, tuple(response.getheaders()), b"".join(pieces))
            return reply, not response.will_close
        finally:
            response.close()

    def close(self) -> None:
        """Close the keep-alive connections of every thread."""
        self._connections.close()


def _stale(exc: BaseException) -> bool:
    return isinstance(exc, http.client.RemoteDisconnected | BrokenPipeError | ConnectionResetError)


def _unreachable(exc: BaseException, timeout: float) -> Unreachable:
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return Unreachable(f"TLS error ({getattr(exc, 'reason', None) or type(exc).__name__})", down=True)
    if isinstance(exc, ConnectionRefusedError | socket.gaierror):
        return Unreachable("connection failed (refused, or no such host)", down=True)
    if isinstance(exc, TimeoutError):
        return Unreachable(f"no answer within {timeout:g} s", down=True)
    if isinstance(exc, http.client.IncompleteRead):
        return Unreachable(f"connection closed {exc.expected:,} bytes short of the Content-Length", down=True)
    if isinstance(exc, OSError | http.client.RemoteDisconnected):
        return Unreachable(f"connection closed or reset before a complete answer ({type(exc).__name__})", down=True)
    return Unreachable(f"not a valid HTTP answer ({type(exc).__name__})", down=False)


def size(limit: int) -> str:
    """``10 MB`` for a whole number of megabytes, else ``1,048 bytes``."""
    megabytes, rest = divmod(limit, 1024 * 1024)
    return f"{megabytes} MB" if megabytes and not rest else f"{limit:,} bytes"


def decode_body(body: bytes, encoding: str | None, limit: int) -> tuple[bytes, str | None]:
    """The body without its ``Content-Encoding`` (gzip, deflate), at most ``limit`` bytes; or why not."""
    coding = (encoding or "").strip().lower()
    if coding in ("", "identity"):
        return body, None
    if coding not in ("gzip", "x-gzip", "deflate"):
        return b"", f"Content-Encoding {coding!r} is not one the proxy asked for (gzip, deflate): the body is unchecked"
    decoder = zlib.decompressobj(zlib.MAX_WBITS | (16 if "gzip" in coding else 32))
    try:
        decoded = decoder.decompress(body, limit + 1)
    except zlib.error:
        return b"", f"the {coding} body cannot be decoded"
    if len(decoded) > limit:
        return b"", f"the {coding} body inflates to more than {size(limit)}: unchecked"
    return decoded, None
