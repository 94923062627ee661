"""JSON pointers (RFC 6901): build one from path segments, follow a local ``$ref``."""

from __future__ import annotations

from typing import Any

__all__ = ["lookup", "pointer"]


def pointer(*parts: str | int) -> str:
    """Build a JSON pointer from path segments: ``pointer("paths", "/a")`` is ``/paths/~1a``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def lookup(document: Any, ref: str) -> Any:
    """The node a local ``$ref`` (``#/components/...``) points to.

    Raises ``LookupError`` when the ref is not local or leads nowhere.
    """
    if not ref.startswith("#"):
        raise LookupError(f"$ref {ref!r} points outside the file (only local refs)")
    node: Any = document
    for raw in ref[1:].split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise LookupError(f"$ref {ref!r} does not resolve")
    return node
