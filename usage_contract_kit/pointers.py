"""JSON pointers (RFC 6901): build one from path segments, follow a local ``$ref``."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

__all__ = ["lookup", "pointer", "ref_parts"]


def pointer(*parts: str | int) -> str:
    """Build a JSON pointer from path segments: ``pointer("paths", "/a")`` is ``/paths/~1a``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def ref_parts(ref: str, *, decode: bool = True) -> list[str]:
    """The path segments of a local ``$ref``: ``#/paths/~1items~1%7Bid%7D`` is ``["paths", "/items/{id}"]``.

    A ``$ref`` is a URI, so its fragment is percent-decoded (RFC 3986) before it is read as a
    JSON pointer (RFC 6901, section 6): ``%20`` is a space, ``%7B`` a brace.
    """
    text = unquote(ref[1:], errors="strict") if decode else ref[1:]
    return [raw.replace("~1", "/").replace("~0", "~") for raw in text.split("/")[1:]]


def outside_the_file(ref: str) -> str:
    """What is wrong with a ``$ref`` to another file or a URL: the kit reads local refs only."""
    return f"$ref {ref!r} points outside the file (only local refs)"


def lookup(document: Any, ref: str) -> Any:
    """The node a local ``$ref`` (``#/components/...``) points to.

    The fragment is percent-decoded first (see :func:`ref_parts`); a ref that leads nowhere
    so, but somewhere as written (a key that itself holds ``%``), leads there. Raises
    ``LookupError`` when the ref is not local or leads nowhere.
    """
    if not ref.startswith("#"):
        raise LookupError(outside_the_file(ref))
    attempts = (True, False) if "%" in ref else (True,)
    for decode in attempts:
        try:
            parts = ref_parts(ref, decode=decode)
        except UnicodeDecodeError:
            continue
        found, node = _follow(document, parts)
        if found:
            return node
    raise LookupError(f"$ref {ref!r} does not resolve")


def _follow(document: Any, parts: list[str]) -> tuple[bool, Any]:
    node: Any = document
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False, None
    return True, node
