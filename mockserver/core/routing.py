"""Match a request path and method against the spec's operations.

Path templates become anchored regular expressions once (:func:`compile_routes`);
:func:`match_route` is a pure function returning a :class:`Match`, a :class:`NoRoute`
(unknown path) or a :class:`WrongMethod` carrying the methods the path allows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from usage_contract_kit.model import Operation

__all__ = ["Match", "NoRoute", "Route", "Routes", "WrongMethod", "compile_routes", "match_route"]

_TEMPLATE_PARAM = re.compile(r"\{([^{}/]+)\}")


@dataclass(frozen=True)
class Route:
    template: str
    pattern: re.Pattern[str]
    names: tuple[str, ...]
    operations: dict[str, Operation]  # by upper-case method
    # Per method, the names of its template's parameters, where they differ from ``names``:
    # templates that differ only in those names are one path (see :func:`compile_routes`).
    renamed: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def allow(self) -> tuple[str, ...]:
        methods = set(self.operations)
        if "GET" in methods:
            methods.add("HEAD")
        return tuple(sorted(methods))


@dataclass(frozen=True)
class Routes:
    routes: tuple[Route, ...]
    # Literal templates (no parameters) are looked up in O(1).
    literal: dict[str, Route]


class Match(NamedTuple):  # made per request: a tuple costs a fraction of a frozen dataclass
    operation: Operation
    path_params: dict[str, str]


@dataclass(frozen=True)
class NoRoute:
    path: str


@dataclass(frozen=True)
class WrongMethod:
    method: str
    allow: tuple[str, ...]


def _pattern(template: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    names: list[str] = []
    parts: list[str] = []
    position = 0
    for found in _TEMPLATE_PARAM.finditer(template):
        parts.append(re.escape(template[position : found.start()]))
        parts.append(f"(?P<p{len(names)}>[^/]+)")
        names.append(found.group(1))
        position = found.end()
    parts.append(re.escape(template[position:]))
    return re.compile("^" + "".join(parts) + "$"), tuple(names)


def compile_routes(operations: Iterable[Operation]) -> Routes:
    """Group operations by path; literal paths sort before templated ones.

    Templates that differ only in their parameters' names (``/pets/{id}`` and
    ``/pets/{petId}``) match the same paths: OpenAPI forbids writing both, but specs do, a
    method under each. They are one route, with every method of either; a method both
    give is the first one's, and each operation reads the path's values by its own names.
    """
    by_shape: dict[str, tuple[str, dict[str, Operation]]] = {}
    for op in operations:
        shape = _TEMPLATE_PARAM.sub("{}", op.path)
        by_shape.setdefault(shape, (op.path, {}))[1].setdefault(op.method, op)
    routes = []
    for template, ops in by_shape.values():
        pattern, names = _pattern(template)
        renamed = {
            method: own for method, op in ops.items() if (own := tuple(_TEMPLATE_PARAM.findall(op.path))) != names
        }
        routes.append(Route(template, pattern, names, ops, renamed))
    # OpenAPI: concrete paths win over templated ones (/users/me before /users/{id}).
    routes.sort(key=lambda r: (len(r.names), -len(r.template)))
    literal = {r.template: r for r in routes if not r.names}
    return Routes(tuple(routes), literal)


def match_route(routes: Routes, method: str, path: str) -> Match | NoRoute | WrongMethod:
    """Find the operation for ``method`` and (percent-decoded) ``path``."""
    route = routes.literal.get(path)
    groups: tuple[str, ...] = ()
    if route is None:
        for candidate in routes.routes:
            found = candidate.pattern.match(path)
            if found is not None:
                route = candidate
                groups = found.groups()
                break
    if route is None:
        return NoRoute(path)
    operation = route.operations.get(method)
    if operation is None and method == "HEAD":
        operation = route.operations.get("GET")
    if operation is None:
        return WrongMethod(method, route.allow)
    names = route.renamed.get(operation.method, route.names) if route.renamed else route.names
    return Match(operation, dict(zip(names, groups, strict=True)))
