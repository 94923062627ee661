"""Match a request path and method against the spec's operations.

Path templates become anchored regular expressions once (:func:`compile_routes`);
:func:`match_route` is a pure function returning a :class:`Match`, a :class:`NoRoute`
(unknown path) or a :class:`WrongMethod` carrying the methods the path allows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
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
    """Group operations by path template; literal paths sort before templated ones."""
    by_template: dict[str, dict[str, Operation]] = {}
    for op in operations:
        by_template.setdefault(op.path, {})[op.method] = op
    routes = []
    for template, ops in by_template.items():
        pattern, names = _pattern(template)
        routes.append(Route(template, pattern, names, ops))
    # OpenAPI: concrete paths win over templated ones (/users/me before /users/{id}).
    routes.sort(key=lambda r: (len(r.names), -len(r.template)))
    literal = {r.template: r for r in routes if not r.names}
    return Routes(tuple(routes), literal)


def match_route(routes: Routes, method: str, path: str) -> Match | NoRoute | WrongMethod:
    """Find the operation for ``method`` and (percent-decoded) ``path``."""
    route = routes.literal.get(path)
    values: dict[str, str] = {}
    if route is None:
        for candidate in routes.routes:
            found = candidate.pattern.match(path)
            if found is not None:
                route = candidate
                values = dict(zip(candidate.names, found.groups(), strict=True))
                break
    if route is None:
        return NoRoute(path)
    operation = route.operations.get(method)
    if operation is None and method == "HEAD":
        operation = route.operations.get("GET")
    if operation is None:
        return WrongMethod(method, route.allow)
    return Match(operation, values)
