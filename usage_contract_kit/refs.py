"""Inline the local ``$ref``s of an OpenAPI document, within a bound on the result's size.

The mock works on a fully inlined document, so a schema used in ten places is copied ten
times. Refs that refer to refs multiply: thirty schemas that each use the previous one
twice inline to 2**30 nodes from a few kilobytes. :func:`inline_refs` therefore first counts
the nodes the inlined document would have (each ref target counted once and remembered,
so counting costs one walk of the document) and refuses a document over ``max_nodes``, or
nested deeper than :data:`MAX_LEVELS` once inlined, before building anything; then it
inlines. A ref that leads nowhere, points outside the file, or back into itself is
reported where it stands in the file.
"""

from __future__ import annotations

from typing import Any

from usage_contract_kit.errors import SpecError
from usage_contract_kit.pointers import lookup, pointer

__all__ = ["MAX_LEVELS", "MAX_NODES", "inline_refs"]

MAX_NODES = 1_000_000
MAX_LEVELS = 200


def inline_refs(document: dict[str, Any], *, source: str, max_nodes: int = MAX_NODES) -> Any:
    """``document`` with every local ``$ref`` replaced by (a copy of) its target."""
    resolver = _Resolver(document, source)
    size, _ = resolver.measure(document, "", 0)
    if size > max_nodes:
        raise SpecError(source, "", resolver.too_big(size, max_nodes))
    return resolver.resolve(document, "")


class _Resolver:
    def __init__(self, document: dict[str, Any], source: str) -> None:
        self.document = document
        self.source = source
        self.measured: dict[str, tuple[int, int]] = {}  # ref -> (nodes, levels) of its inlined target
        self.active: list[str] = []  # refs being measured, to find cycles
        self.biggest: tuple[int, str] = (0, "")

    def too_big(self, size: int, limit: int) -> str:
        count, ref = self.biggest
        return (
            f"inlining the $refs would make {size:,} nodes, over the limit of {limit:,}"
            f" (refs that use refs several times multiply; the largest, {ref!r}, inlines to {count:,} nodes)"
        )

    def measure(self, node: Any, at: str, depth: int) -> tuple[int, int]:
        """Nodes and levels ``node`` inlines to; refuses nesting over :data:`MAX_LEVELS`."""
        if depth > MAX_LEVELS:
            raise SpecError(self.source, at, f"inlining the $refs nests the document deeper than {MAX_LEVELS} levels")
        if isinstance(node, dict):
            ref = node.get("$ref")
            size, levels = 1, 1
            if isinstance(ref, str):
                size, levels = self._measure_ref(ref, at, depth)
            for key, value in node.items():
                if key != "$ref" or not isinstance(ref, str):
                    count, below = self.measure(value, f"{at}{pointer(key)}", depth + 1)
                    size, levels = size + count, max(levels, below + 1)
            return size, levels
        if isinstance(node, list):
            size, levels = 1, 1
            for index, value in enumerate(node):
                count, below = self.measure(value, f"{at}{pointer(index)}", depth + 1)
                size, levels = size + count, max(levels, below + 1)
            return size, levels
        return 1, 1

    def _measure_ref(self, ref: str, at: str, depth: int) -> tuple[int, int]:
        found = self.measured.get(ref)
        if found is None:
            if ref in self.active:
                raise SpecError(
                    self.source, at, f"$ref {ref!r} refers back to itself (recursive schemas are not supported)"
                )
            self.active.append(ref)
            found = self.measure(self._lookup(ref, at), ref[1:], depth)  # report faults where they stand
            self.active.pop()
            self.measured[ref] = found
            self.biggest = max(self.biggest, (found[0], ref))
        elif depth + found[1] > MAX_LEVELS:
            raise SpecError(self.source, at, f"inlining the $refs nests the document deeper than {MAX_LEVELS} levels")
        return found

    def resolve(self, node: Any, at: str) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                merged = self.resolve(self._lookup(ref, at), at)
                siblings = {k: v for k, v in node.items() if k != "$ref"}
                if siblings and isinstance(merged, dict):
                    merged = {**merged, **self.resolve(siblings, at)}
                return merged
            return {k: self.resolve(v, f"{at}{pointer(k)}") for k, v in node.items()}
        if isinstance(node, list):
            return [self.resolve(v, f"{at}{pointer(i)}") for i, v in enumerate(node)]
        return node

    def _lookup(self, ref: str, at: str) -> Any:
        try:
            return lookup(self.document, ref)
        except LookupError as exc:
            raise SpecError(self.source, at, str(exc)) from None
