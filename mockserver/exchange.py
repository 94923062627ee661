"""The proxy's view of one HTTP exchange: the request as read from the WSGI environ, and
the headers passed on in each direction (RFC 9110, section 7.6: hop-by-hop fields stay
behind, ``Via`` is added).

Plain functions over the environ and header lists, kept apart from the proxy's flow
(:mod:`mockserver.proxy`) so that each can be read, and tested, on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from mockserver.core.engine import MockRequest, MockState
from mockserver.core.wire import parse_cookies, parse_query

__all__ = [
    "HOP_BY_HOP",
    "VIA",
    "end_to_end",
    "forwarded_headers",
    "lower_case",
    "read_body",
    "read_request",
    "secrets_of",
    "target_of",
    "wsgi_text",
]

# RFC 9110 section 7.6.1, and the fields of the proxy's own authentication.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "proxy-authenticate",
        "proxy-authorization",
    }
)
VIA = "1.1 mockserver"
# Fields the forwarding sets itself: Host (the upstream's), the length of the body it sends,
# Via (appended to), and Expect (the body is read before it is forwarded).
_SET_BY_FORWARDING = frozenset({"host", "content-length", "via", "expect"})
_DECODABLE = frozenset({"gzip", "x-gzip", "deflate", "identity"})
# Characters a request target may carry as they are (RFC 3986's reserved and unreserved, and '%').
_TARGET_SAFE = "/:@!$&'()*+,;=-._~%?"
_LENGTH_DIGITS = 18  # a Content-Length of more digits is larger than any body the proxy reads


def wsgi_text(raw: str) -> str:
    """A WSGI string (latin-1 decoded bytes) as the UTF-8 text the URL meant."""
    return raw.encode("latin-1").decode("utf-8", "replace")


def _header_lines(environ: Mapping[str, Any]) -> list[tuple[str, str]]:
    lines = [(key[5:].replace("_", "-").title(), value) for key, value in environ.items() if key.startswith("HTTP_")]
    if environ.get("CONTENT_TYPE"):
        lines.append(("Content-Type", environ["CONTENT_TYPE"]))
    return lines


def lower_case(lines: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Header lines as a mapping by lower-case name; repeated fields joined with ``, ``."""
    found: dict[str, str] = {}
    for name, value in lines:
        key = name.lower()
        found[key] = f"{found[key]}, {value}" if key in found else value
    return found


def read_request(environ: Mapping[str, Any], path: str) -> MockRequest:
    """The request as the mock's pipeline reads it (``path`` percent-decoded)."""
    headers = lower_case(_header_lines(environ))
    query = parse_query(wsgi_text(environ.get("QUERY_STRING", "")))
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    return MockRequest(method, path, query, headers, parse_cookies(headers.get("cookie")))


def read_body(environ: Mapping[str, Any], limit: int) -> bytes | None:
    """The request body, or ``None`` when it is larger than ``limit`` bytes."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length = str(environ.get("CONTENT_LENGTH") or "").strip()
    if length.isdigit():
        size = int(length) if len(length) <= _LENGTH_DIGITS else limit + 1  # too long to be a body we read
        return None if size > limit else stream.read(size) if size else b""
    if environ.get("wsgi.input_terminated"):  # a body without a length (chunked): read up to the limit
        data: bytes = stream.read(limit + 1)
        return None if len(data) > limit else data
    return b""


def target_of(environ: Mapping[str, Any]) -> str:
    """The request target to send on: the path as the client sent it when the server says so, and the query."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        if raw.startswith(("http://", "https://")):  # absolute form
            raw = urlsplit(raw).path or "/"
        path = raw.split("?", 1)[0]
    else:  # Granian gives the decoded path only: encode it again
        path = environ.get("SCRIPT_NAME", "") + (environ.get("PATH_INFO", "") or "/")
        path = path.replace("%", "%25")
    target = quote(path.encode("latin-1"), safe=_TARGET_SAFE)
    query = environ.get("QUERY_STRING", "")
    return f"{target}?{quote(query.encode('latin-1'), safe=_TARGET_SAFE + '[]')}" if query else target


def end_to_end(lines: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Header lines without the hop-by-hop ones, those the ``Connection`` field names included."""
    listed = {
        token.strip().lower() for name, value in lines if name.lower() == "connection" for token in value.split(",")
    }
    return [(name, value) for name, value in lines if name.lower() not in HOP_BY_HOP and name.lower() not in listed]


def _decodable(accept_encoding: str) -> str:
    kept = []
    for token in accept_encoding.split(","):
        coding, _, params = token.strip().partition(";")
        if coding.strip().lower() in _DECODABLE and params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00"):
            kept.append(token.strip())
    return ", ".join(kept) or "identity"


def forwarded_headers(environ: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The caller's header lines to send upstream: end to end, codings the proxy can decode, and ``Via``."""
    lines = end_to_end(_header_lines(environ))
    forwarded = []
    for name, value in lines:
        lower = name.lower()
        if lower in _SET_BY_FORWARDING:
            continue
        forwarded.append((name, _decodable(value) if lower == "accept-encoding" else value))
    via = environ.get("HTTP_VIA")
    forwarded.append(("Via", f"{via}, {VIA}" if via else VIA))
    return forwarded


def secrets_of(state: MockState, request: MockRequest) -> list[str]:
    """The credentials ``request`` carries (the values the proxy must show nowhere)."""
    found = [value for name, value in request.headers.items() if name in state.secret_headers and value]
    found += [value for name in state.secret_query for value in request.query.get(name, ()) if value]
    for scheme in state.spec.security_schemes.values():
        if scheme.location == "cookie" and request.cookies.get(scheme.parameter):
            found.append(request.cookies[scheme.parameter])
    tokens = [value.partition(" ")[2].strip() for value in found if " " in value.strip()]  # "Bearer <token>"
    return [*found, *(token for token in tokens if token)]
