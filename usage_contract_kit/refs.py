"""Inline the local ``$ref``s of an OpenAPI document, within a bound on the result's size.

The mock works on an inlined document, so a schema used in ten places is copied ten
times. Refs that refer to refs multiply: thirty schemas that each use the previous one
twice inline to 2**30 nodes from a few kilobytes. :func:`resolve_refs` therefore first counts
the nodes the inlined document would have (each ref target counted once and remembered,
so counting costs one walk of the document) and refuses a document over ``max_nodes``, or
nested deeper than :data:`MAX_LEVELS` once inlined, before building anything; then it
inlines. A ref that leads nowhere or points outside the file is reported where it stands.

Recursive schemas (a tree whose nodes hold nodes) cannot be inlined: a ref that takes part
in a cycle of refs stays a ``$ref``, and :attr:`Resolved.recursive` maps it to its target
(itself inlined the same way), so that a schema compiler or a generator can follow it. A
cycle made only of refs to refs (``A: {$ref: B}``, ``B: {$ref: A}``) describes nothing and is
refused.

Only a ``$ref`` where OpenAPI allows a Reference Object is one (:mod:`usage_contract_kit.places`):
in an example's value, a schema's ``default``, ``enum`` or ``const``, or an ``x-`` extension it
is data, kept as written.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from usage_contract_kit.errors import SpecError
from usage_contract_kit.places import DOCUMENT, LITERAL, REFERABLE, SCHEMA, children
from usage_contract_kit.pointers import lookup, pointer, ref_parts

__all__ = ["MAX_LEVELS", "MAX_NODES", "Resolved", "document_refs", "inline_refs", "resolve_refs"]

MAX_NODES = 1_000_000
MAX_LEVELS = 200


@dataclass(frozen=True)
class Resolved:
    """A document with its refs inlined, but for those that close a cycle."""

    document: Any
    recursive: Mapping[str, Any] = field(default_factory=dict)  # ref -> its target, for refs kept as $ref


def inline_refs(document: dict[str, Any], *, source: str, max_nodes: int = MAX_NODES, limit_name: str = "") -> Any:
    """``document`` with every local ``$ref`` replaced by (a copy of) its target, but those of cycles."""
    return resolve_refs(document, source=source, max_nodes=max_nodes, limit_name=limit_name).document


def resolve_refs(
    document: dict[str, Any], *, source: str, max_nodes: int = MAX_NODES, limit_name: str = ""
) -> Resolved:
    """Inline ``document``'s refs; refs that close a cycle stay refs (see :class:`Resolved`).

    ``limit_name`` is the setting that raises ``max_nodes``, named in the refusal.
    """
    graph = _RefGraph(document, source)
    recursive = graph.recursive()
    resolver = _Resolver(document, source, recursive, graph.kinds)
    size, _ = resolver.measure(document, DOCUMENT, "", 0)
    for ref in sorted(recursive):
        size += resolver.measure(graph.targets[ref], graph.kinds[ref], ref[1:], 0)[0]
    if size > max_nodes:
        raise SpecError(source, "", resolver.too_big(size, max_nodes, limit_name))
    table = {ref: resolver.resolve(graph.targets[ref], graph.kinds[ref], ref[1:]) for ref in sorted(recursive)}
    return Resolved(resolver.resolve(document, DOCUMENT, ""), table)


def document_refs(document: Any) -> Iterator[tuple[str, str]]:
    """``(ref, where it stands)`` for every Reference Object of an OpenAPI document, not following them."""
    return ((ref, at) for ref, at, _ in _refs_in(document, DOCUMENT, ""))


def _refs_in(node: Any, kind: int | None, at: str) -> Iterator[tuple[str, str, int]]:
    """``(ref, where it stands, its kind)`` for every reference inside ``node``, not following them."""
    if kind is LITERAL:
        return
    if isinstance(node, dict) and kind in REFERABLE:
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref, at, kind
    for key, value, inner in children(node, kind):
        if inner is not LITERAL and key != "$ref" and isinstance(value, dict | list):
            yield from _refs_in(value, inner, f"{at}{pointer(key)}")


class _RefGraph:
    """Which ref targets use which refs: the cycles among them are the recursive schemas."""

    def __init__(self, document: dict[str, Any], source: str) -> None:
        self.document = document
        self.source = source
        self.targets: dict[str, Any] = {}
        self.kinds: dict[str, int] = {}  # what each ref stands for (where it first stands): a schema, a parameter ...
        self.edges: dict[str, list[str]] = {}
        self.where: dict[str, str] = {}  # where each ref first stands
        pending = [ref for ref, _ in self._collect(document, DOCUMENT, "")]
        while pending:
            ref = pending.pop()
            if ref in self.edges:
                continue
            self.edges[ref] = [used for used, _ in self._collect(self.targets[ref], self.kinds[ref], ref[1:])]
            pending.extend(self.edges[ref])

    def _collect(self, node: Any, kind: int | None, at: str) -> Iterator[tuple[str, str]]:
        for ref, where, of in _refs_in(node, kind, at):
            if ref not in self.targets:
                try:
                    self.targets[ref] = lookup(self.document, ref)
                except LookupError as exc:
                    raise SpecError(self.source, where, str(exc)) from None
                self.where[ref] = where
                self.kinds[ref] = of
            yield ref, where

    def recursive(self) -> set[str]:
        """Refs that lie on a cycle of refs (Tarjan's strongly connected components)."""
        found: set[str] = set()
        for component in _components(self.edges):
            if len(component) > 1 or component[0] in self.edges[component[0]]:
                self._refuse_aliases(component)
                found.update(component)
        return found

    def _refuse_aliases(self, component: list[str]) -> None:
        members = set(component)
        if all(isinstance(self.targets[r], dict) and self.targets[r].get("$ref") in members for r in component):
            ref = min(component)
            raise SpecError(
                self.source,
                ref[1:],
                f"$ref {self.targets[ref]['$ref']!r} refers back to itself without a schema in between",
            )


def _components(edges: Mapping[str, list[str]]) -> list[list[str]]:
    """Strongly connected components, iteratively (long ref chains must not hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work: list[tuple[str, int]] = [(start, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            children = edges.get(node, [])
            if position < len(children):
                work.append((node, position + 1))
                child = children[position]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(component)
    return result


def _discriminate(node: Mapping[str, Any], resolved: dict[str, Any], document: Any) -> None:
    """Make ``resolved``'s ``oneOf``/``anyOf`` branches say the ``discriminator`` value each one takes.

    A discriminator names the property whose value picks the branch: the ``mapping`` says which
    value means which schema, and a schema the mapping does not name is meant by its own name.
    Branches often differ only in that value (each declaring the property a plain string), so
    plain JSON Schema finds several matching; once inlined, the refs that said which branch is
    which are gone. Each branch that is a ``$ref`` and does not list the property's values itself
    becomes ``allOf`` of itself and the values it takes, in ``resolved`` (the inlined copy):
    validators and generators then read it as such.
    """
    discriminator = node["discriminator"]
    name = discriminator.get("propertyName")
    mapping = discriminator.get("mapping")
    mapping = mapping if isinstance(mapping, dict) else {}
    if not isinstance(name, str):
        return
    for key in ("oneOf", "anyOf"):
        branches, inlined = node.get(key), resolved.get(key)
        if not isinstance(branches, list) or not isinstance(inlined, list):
            continue
        constrained = []
        for branch, copy in zip(branches, inlined, strict=True):
            ref = branch.get("$ref") if isinstance(branch, dict) else None
            values = [value for value, target in mapping.items() if _names(target, ref)] if isinstance(ref, str) else []
            if not isinstance(ref, str) or (not values and _declares(document, {"$ref": ref}, name, 0)):
                # An inline branch has no name to be meant by; one the mapping does not name that
                # lists the values of the property itself (enum: [dog]) is told apart by them
                # already, whatever its name. One the mapping names takes the mapping's values,
                # even where it lists values itself: a base schema shared by every branch often
                # lists them all (enum: [approved, denied]), which tells no branch apart.
                constrained.append(copy)
                continue
            own = _last_part(ref)
            if own not in mapping:
                values.append(own)
            picked = {"required": [name], "properties": {name: {"enum": values}}}
            constrained.append({"allOf": [copy, picked]})
        resolved[key] = constrained


def _declares(document: Any, schema: Any, name: str, depth: int) -> bool:
    """Whether ``schema`` (or a part of its ``allOf``, through refs) lists the values of property ``name``."""
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and depth < MAX_LEVELS:
        try:
            schema, depth = lookup(document, schema["$ref"]), depth + 1
        except LookupError:
            return False  # reported where the ref stands, by the resolver
    if not isinstance(schema, dict) or depth >= MAX_LEVELS:
        return False
    properties = schema.get("properties")
    found = properties.get(name) if isinstance(properties, dict) else None
    while isinstance(found, dict) and isinstance(found.get("$ref"), str) and depth < MAX_LEVELS:
        try:
            found, depth = lookup(document, found["$ref"]), depth + 1
        except LookupError:
            return False
    if isinstance(found, dict) and ("enum" in found or "const" in found):
        return True
    parts = schema.get("allOf")
    return isinstance(parts, list) and any(_declares(document, part, name, depth + 1) for part in parts)


def _names(target: Any, ref: str) -> bool:
    """Whether a discriminator mapping's ``target`` (a ref, or a schema's name) is ``ref``."""
    if not isinstance(target, str):
        return False
    if target.startswith("#"):
        return target == ref or _same_place(target, ref)
    return f"#/components/schemas/{target}" == ref or (
        ref.startswith("#/components/schemas/") and _last_part(ref) == target
    )


def _last_part(ref: str) -> str:
    """The last segment of a ref's pointer, decoded: the name of the schema it points to."""
    try:
        return ref_parts(ref)[-1]
    except (UnicodeDecodeError, IndexError):
        return ref.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")


def _same_place(one: str, other: str) -> bool:
    try:
        return ref_parts(one) == ref_parts(other)
    except UnicodeDecodeError:
        return False


class _Resolver:
    def __init__(self, document: dict[str, Any], source: str, recursive: set[str], kinds: Mapping[str, int]) -> None:
        self.document = document
        self.source = source
        self.recursive = recursive
        self.kinds = kinds
        self.measured: dict[str, tuple[int, int]] = {}  # ref -> (nodes, levels) of its inlined target
        self.biggest: tuple[int, str] = (0, "")

    def too_big(self, size: int, limit: int, limit_name: str) -> str:
        count, ref = self.biggest
        raise_it = f"; {limit_name} raises the limit" if limit_name else ""
        return (
            f"inlining the $refs would make {size:,} nodes, over the limit of {limit:,}"
            f" (refs that use refs several times multiply; the largest, {ref!r}, inlines to {count:,} nodes){raise_it}"
        )

    def measure(self, node: Any, kind: int | None, at: str, depth: int) -> tuple[int, int]:
        """Nodes and levels ``node`` inlines to; refuses nesting over :data:`MAX_LEVELS`."""
        if depth > MAX_LEVELS:
            raise SpecError(self.source, at, f"inlining the $refs nests the document deeper than {MAX_LEVELS} levels")
        if isinstance(node, dict | list):
            ref = node.get("$ref") if isinstance(node, dict) and kind in REFERABLE else None
            size, levels = 1, 1
            if isinstance(ref, str) and ref not in self.recursive:
                size, levels = self._measure_ref(ref, at, depth)
            for key, value, inner in children(node, kind):
                if key != "$ref" or not isinstance(ref, str):
                    count, below = self.measure(value, inner, f"{at}{pointer(key)}", depth + 1)
                    size, levels = size + count, max(levels, below + 1)
            return size, levels
        return 1, 1

    def _measure_ref(self, ref: str, at: str, depth: int) -> tuple[int, int]:
        found = self.measured.get(ref)
        if found is None:
            # Faults are reported where they stand.
            found = self.measure(self._lookup(ref, at), self.kinds[ref], ref[1:], depth + 1)
            self.measured[ref] = found
            self.biggest = max(self.biggest, (found[0], ref))
        elif depth + found[1] > MAX_LEVELS:
            raise SpecError(self.source, at, f"inlining the $refs nests the document deeper than {MAX_LEVELS} levels")
        return found

    def resolve(self, node: Any, kind: int | None, at: str) -> Any:
        if kind is LITERAL:
            return node  # data, shared with the document: nothing below it is a reference
        if isinstance(node, dict):
            ref = node.get("$ref") if kind in REFERABLE else None
            if isinstance(ref, str):
                siblings = {k: v for k, v in node.items() if k != "$ref"}
                if ref in self.recursive:
                    kept = {"$ref": ref}
                    return {"allOf": [kept], **self.resolve(siblings, kind, at)} if siblings else kept
                merged = self.resolve(self._lookup(ref, at), self.kinds[ref], at)
                if siblings and isinstance(merged, dict):
                    merged = {**merged, **self.resolve(siblings, kind, at)}
                return merged
            resolved = {k: self.resolve(v, inner, f"{at}{pointer(k)}") for k, v, inner in children(node, kind)}
            if kind == SCHEMA and isinstance(node.get("discriminator"), dict):
                _discriminate(node, resolved, self.document)
            return resolved
        if isinstance(node, list):
            return [self.resolve(v, inner, f"{at}{pointer(i)}") for i, v, inner in children(node, kind)]
        return node

    def _lookup(self, ref: str, at: str) -> Any:
        try:
            return lookup(self.document, ref)
        except LookupError as exc:
            raise SpecError(self.source, at, str(exc)) from None
