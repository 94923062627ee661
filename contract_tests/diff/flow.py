"""Who a change breaks depends on which way the values travel.

A schema change makes the set of valid values *narrower* or *wider*. Requests travel from
clients to implementations, responses the other way:

| effect | in a request | in a response |
| --- | --- | --- |
| narrower (fewer values valid) | breaks clients: what they send may be refused | breaks implementations: what they send may be out of contract |
| wider (more values valid) | breaks implementations: they must accept more | breaks clients: they may receive what they never handled |
| added (a parameter, property or rule gets a meaning) | breaks implementations: they must honour it | compatible: clients may ignore it |
| removed (a meaning is withdrawn) | breaks clients: what they send is no longer read | breaks clients: what they read is no longer promised |

Changes whose direction cannot be told (a pattern replaced by another) are both narrower
and wider.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from contract_tests.diff.model import CLIENTS, COMPATIBLE, IMPLEMENTATIONS, Change, Classification, DiffError
from usage_contract_kit.pointers import lookup

__all__ = ["Direction", "Documents", "Effect", "Flow", "classify", "deref", "emit", "mapping"]

Direction = Literal["request", "response"]
Effect = Literal["narrower", "wider", "both", "added", "removed", "neutral"]

_TABLE: dict[tuple[Direction, Effect], tuple[Classification, ...]] = {
    ("request", "narrower"): (CLIENTS,),
    ("request", "wider"): (IMPLEMENTATIONS,),
    ("request", "both"): (CLIENTS, IMPLEMENTATIONS),
    ("request", "added"): (IMPLEMENTATIONS,),
    ("request", "removed"): (CLIENTS,),
    ("request", "neutral"): (COMPATIBLE,),
    ("response", "narrower"): (IMPLEMENTATIONS,),
    ("response", "wider"): (CLIENTS,),
    ("response", "both"): (CLIENTS, IMPLEMENTATIONS),
    ("response", "added"): (COMPATIBLE,),
    ("response", "removed"): (CLIENTS,),
    ("response", "neutral"): (COMPATIBLE,),
}


@dataclass(frozen=True)
class Documents:
    """The two parsed versions being compared; ``$ref``s resolve against them."""

    old: Mapping[str, Any]
    new: Mapping[str, Any]


@dataclass(frozen=True)
class Flow:
    """Where a schema's values travel and how they are written.

    ``textual`` marks parameter and header values, which are text on the wire: there a
    ``string`` schema admits every number and boolean, so ``number`` to ``string`` is a
    widening, while in a JSON body the two types share no value. ``where`` starts every
    message (for example ``GET /orders: response 200 (application/json)``).
    """

    direction: Direction
    where: str
    textual: bool = False


def classify(direction: Direction, effect: Effect) -> tuple[Classification, ...]:
    """The classifications of a change with ``effect`` on values travelling ``direction``."""
    return _TABLE[(direction, effect)]


def deref(document: Mapping[str, Any], node: Any, at: str, label: str) -> tuple[Any, str]:
    """Follow ``node``'s ``$ref`` chain: the node it ends at and that node's JSON pointer.

    ``label`` names the document in errors (``old`` or ``new``). A chain that loops, leaves
    the document or does not resolve raises :class:`DiffError`.
    """
    seen: set[str] = set()
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if not ref.startswith("#/") and ref != "#":
            raise DiffError(f"{label} document, {at or '/'}: $ref {ref!r} is not local (only '#/...' is supported)")
        if ref in seen:
            raise DiffError(f"{label} document, {at or '/'}: $ref {ref!r} refers back to itself")
        seen.add(ref)
        try:
            node = lookup(document, ref)
        except LookupError:
            raise DiffError(f"{label} document, {at or '/'}: $ref {ref!r} does not resolve") from None
        at = ref[1:]
    return node, at


def emit(
    changes: list[Change],
    direction: Direction,
    effect: Effect,
    kind: str,
    message: str,
    old: str | None,
    new: str | None,
) -> None:
    """Append the records of one change: one per side it breaks, or one compatible."""
    for classification in classify(direction, effect):
        changes.append(Change(kind, classification, message, old, new))


def mapping(node: Any) -> Mapping[str, Any]:
    """``node`` when it is a mapping, else an empty one (a missing optional object)."""
    return node if isinstance(node, Mapping) else {}
