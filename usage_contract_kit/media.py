"""Media types as OpenAPI documents them: what kind of body each is, and media ranges.

A response or request body is documented per media type (``application/json``,
``text/plain``, ``image/png`` ...). :func:`media_kind` sorts one into the kinds a body is read
or written as; :func:`matches` tells whether a media range (``image/*``, ``*/*``) covers a
media type. Parameters (``; charset=utf-8``) are ignored and names compared case-insensitively.
"""

from __future__ import annotations

__all__ = ["essence", "matches", "media_kind"]

_FORM = "application/x-www-form-urlencoded"


def essence(content_type: str) -> str:
    """``type/subtype`` in lower case, without parameters."""
    return content_type.split(";", 1)[0].strip().lower()


def media_kind(content_type: str) -> str:
    """``json``, ``xml``, ``form``, ``multipart``, ``text`` or ``binary``."""
    kind = essence(content_type)
    main, _, sub = kind.partition("/")
    if sub == "json" or sub.endswith("+json") or kind == "*/*":
        return "json"
    if sub == "xml" or sub.endswith("+xml"):
        return "xml"
    if kind == _FORM:
        return "form"
    if main == "multipart":
        return "multipart"
    if main == "text":
        return "text"
    return "binary"


def matches(media_range: str, content_type: str) -> bool:
    """Whether ``media_range`` (``*/*``, ``image/*`` or a type) covers ``content_type``."""
    wanted, actual = essence(media_range), essence(content_type)
    if wanted in ("*/*", "*") or wanted == actual:
        return True
    main, _, sub = wanted.partition("/")
    return sub == "*" and actual.partition("/")[0] == main
