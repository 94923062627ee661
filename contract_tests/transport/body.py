"""Read a response body within the cap, counted after decompression (a gzip bomb stops there).

Transport helper of :mod:`contract_tests.transport.client`: it reads what ``http.client`` hands it,
inflates ``gzip`` and ``deflate`` bodies piece by piece, and gives up as soon as more than
:data:`MAX_BODY` bytes arrived or came out of the decompressor. A body cut short of its
``Content-Length`` (``http.client``'s ``read1`` just ends when the connection closes early)
is refused, as curl and browsers refuse it; so is a body in a content coding the request
did not accept (``Accept-Encoding: gzip, deflate``): a client that offered neither could not
read it, and one that decodes what the header claims fails on a mislabelled body.
"""

from __future__ import annotations

import http.client
import zlib

from contract_tests.core.exchange import TargetUnreachable

__all__ = ["ACCEPTED_CODINGS", "MAX_BODY", "read_body"]

MAX_BODY = 10 * 1024 * 1024
_CHUNK = 65536
ACCEPTED_CODINGS = ("gzip", "deflate")  # what the client's Accept-Encoding offers
_IDENTITY = ("", "identity")


def read_body(response: http.client.HTTPResponse, encoding: str, url: str) -> bytes:
    """The whole body, decompressed, or ``TargetUnreachable`` past :data:`MAX_BODY`.

    Pieces are kept in a list and joined once: a growing buffer would be copied on every
    reallocation, doubling what each request in flight holds.
    """
    too_big = TargetUnreachable(f"{url}: response body larger than {MAX_BODY // (1024 * 1024)} MB", answered=True)
    declared = response.getheader("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise too_big  # no need to read what is already known to be too much
    coding = encoding.strip().lower()
    decoder = None
    if coding in ("gzip", "x-gzip"):
        decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
    elif coding == "deflate":
        decoder = zlib.decompressobj(zlib.MAX_WBITS | 32)
    pieces: list[bytes] = []
    size = received = 0
    while True:
        chunk = response.read1(_CHUNK)
        if not chunk:
            break
        received += len(chunk)
        if received > MAX_BODY:
            pieces.clear()  # an exception's traceback keeps this frame: do not keep 10 MB with it
            raise too_big
        if decoder is None:
            pieces.append(chunk)
            size += len(chunk)
            continue
        try:
            while chunk and not decoder.eof:
                piece = decoder.decompress(chunk, min(_CHUNK * 4, MAX_BODY + 1 - size))
                pieces.append(piece)
                size += len(piece)
                if size > MAX_BODY:
                    pieces.clear()
                    raise too_big
                chunk = decoder.unconsumed_tail
        except zlib.error:
            raise TargetUnreachable(f"{url}: the {coding} body cannot be decoded", answered=True) from None
    try:
        _check_whole(response, coding if decoder is None and received else "", received, url)
    except TargetUnreachable:
        pieces.clear()
        raise
    return b"".join(pieces)


def _check_whole(response: http.client.HTTPResponse, unread_coding: str, received: int, url: str) -> None:
    """Refuse a body left in a coding the request did not accept, or cut short of its Content-Length."""
    if unread_coding not in _IDENTITY:
        raise TargetUnreachable(
            f"{url}: the body comes in Content-Encoding {unread_coding!r}, which the request did not accept "
            f"(Accept-Encoding: {', '.join(ACCEPTED_CODINGS)})",
            answered=True,
        )
    if response.length:  # what Content-Length declared and never came: the connection closed early
        raise TargetUnreachable(
            f"{url}: the connection closed after {received} of the {received + response.length} bytes "
            "its Content-Length declares",
            answered=True,
        )
