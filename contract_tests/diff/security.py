"""Compare the security an operation requires in two versions of the contract.

An operation's requirements are alternatives (any one will do), each a set of schemes
(all needed) with scopes; no requirement at all means anonymous access. Schemes are
compared by what they are (type, header name, HTTP scheme, flows), not by their name in
``components``, so renaming a scheme is no change.

* A client holds the credentials of some old alternative: it is broken when no new
  alternative asks for a subset of them.
* An implementation accepts the old alternatives: it is broken when a new alternative
  asks for less than every old one (it would refuse requests the new version allows).
* ``x-key-pattern`` (the documented shape of an API key) is a request-side pattern: added
  or replaced it may refuse keys clients hold, removed implementations must take any key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contract_tests.diff.flow import Documents, classify, deref
from contract_tests.diff.keywords import canonical, compare_pattern
from contract_tests.diff.model import CLIENTS, COMPATIBLE, IMPLEMENTATIONS, Change, DiffError, child, pointer

__all__ = ["diff_security"]

_IDENTITY = ("type", "in", "name", "scheme", "bearerFormat", "flows", "openIdConnectUrl")
_Alternative = frozenset[tuple[str, frozenset[str]]]


def diff_security(
    documents: Documents,
    where: str,
    old_operation: Mapping[str, Any],
    old_at: str,
    new_operation: Mapping[str, Any],
    new_at: str,
) -> list[Change]:
    """The security changes of one operation (``where`` names it in messages)."""
    old_alternatives, old_place = _requirements(documents.old, old_operation, old_at, "old")
    new_alternatives, new_place = _requirements(documents.new, new_operation, new_at, "new")
    changes: list[Change] = []
    old_sets = [_identify(documents.old, alt, "old") for alt in old_alternatives]
    new_sets = [_identify(documents.new, alt, "new") for alt in new_alternatives]
    for alt, held in zip(old_alternatives, old_sets, strict=True):
        if not any(_needs_no_more(asked, held) for asked in new_sets):
            message = f"{where}: security {_describe(documents.old, alt)} no longer accepted"
            changes.append(Change("security-requirement-removed", CLIENTS, message, old_place, new_place))
    for alt, asked in zip(new_alternatives, new_sets, strict=True):
        if not any(_needs_no_more(held, asked) for held in old_sets):
            message = f"{where}: security {_describe(documents.new, alt)} added; implementations must accept it"
            changes.append(Change("security-requirement-added", IMPLEMENTATIONS, message, old_place, new_place))
    changes += _scheme_details(documents, where, old_alternatives, new_alternatives)
    return changes


def _requirements(
    document: Mapping[str, Any], operation: Mapping[str, Any], at: str, label: str
) -> tuple[list[Mapping[str, Any]], str]:
    """The operation's alternatives (its own, else the document's) and where they are written."""
    if "security" in operation:
        found, place = operation["security"], child(at, "security")
    else:
        found, place = document.get("security", []), pointer("security")
    if not isinstance(found, list) or not all(isinstance(a, Mapping) for a in found):
        raise DiffError(f"{label} document, {place}: security must be a list of requirement objects")
    return (list(found) or [{}]), place


def _scheme(document: Mapping[str, Any], name: str, label: str) -> tuple[Mapping[str, Any], str]:
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    at = pointer("components", "securitySchemes", name)
    if name not in schemes:
        raise DiffError(f"{label} document, {at}: security scheme {name!r} is required but not defined")
    node, at = deref(document, schemes[name], at, label)
    if not isinstance(node, Mapping):
        raise DiffError(f"{label} document, {at}: a security scheme must be an object")
    return node, at


def _identity(scheme: Mapping[str, Any]) -> str:
    fields = {k: scheme[k] for k in _IDENTITY if k in scheme}
    if scheme.get("in") == "header" and isinstance(fields.get("name"), str):
        fields["name"] = fields["name"].lower()  # header names are case-insensitive
    if isinstance(fields.get("scheme"), str):
        fields["scheme"] = fields["scheme"].lower()
    if isinstance(fields.get("flows"), Mapping):  # scopes are compared per requirement, not here
        fields["flows"] = {
            flow: {k: v for k, v in body.items() if k != "scopes"} if isinstance(body, Mapping) else body
            for flow, body in fields["flows"].items()
        }
    return canonical(fields)


def _identify(document: Mapping[str, Any], alternative: Mapping[str, Any], label: str) -> _Alternative:
    return frozenset(
        (_identity(_scheme(document, str(name), label)[0]), frozenset(map(str, scopes or ())))
        for name, scopes in alternative.items()
    )


def _needs_no_more(asked: _Alternative, held: _Alternative) -> bool:
    """Whether credentials ``held`` satisfy the requirement ``asked``."""
    return all(any(s == h and scopes <= have for h, have in held) for s, scopes in asked)


def _describe(document: Mapping[str, Any], alternative: Mapping[str, Any]) -> str:
    if not alternative:
        return "without credentials"
    parts = []
    for name, scopes in alternative.items():
        scheme = _scheme(document, str(name), "")[0]
        kind = (
            f"{scheme.get('type')} in {scheme.get('in')} {scheme.get('name')}"
            if scheme.get("in")
            else scheme.get("type")
        )
        if scheme.get("scheme"):
            kind = f"{kind} {scheme.get('scheme')}"
        parts.append(f"{name} ({kind}{', scopes ' + ', '.join(scopes) if scopes else ''})")
    return " + ".join(parts)


def _scheme_details(
    documents: Documents,
    where: str,
    old_alternatives: list[Mapping[str, Any]],
    new_alternatives: list[Mapping[str, Any]],
) -> list[Change]:
    """``x-key-pattern`` and documentation of each scheme both versions use for the operation."""
    old_schemes = {
        _identity(node): (str(name), node, at)
        for alt in old_alternatives
        for name in alt
        for node, at in [_scheme(documents.old, str(name), "old")]
    }
    changes: list[Change] = []
    seen: set[str] = set()
    for alt in new_alternatives:
        for name in alt:
            node, at = _scheme(documents.new, str(name), "new")
            identity = _identity(node)
            if identity not in old_schemes or identity in seen:
                continue
            seen.add(identity)
            _, old_node, old_at = old_schemes[identity]
            label = f"{where}: security scheme '{name}'"
            for effect, what in compare_pattern(old_node, node, "x-key-pattern"):
                for classification in classify("request", effect):
                    changes.append(Change("security-key-pattern", classification, f"{label}: {what}", old_at, at))
            documentation = sorted(
                k
                for k in {*old_node, *node}
                if k not in _IDENTITY and k != "x-key-pattern" and canonical(old_node.get(k)) != canonical(node.get(k))
            )
            if documentation:
                message = f"{label}: {', '.join(documentation)} changed"
                changes.append(Change("security-documentation", COMPATIBLE, message, old_at, at))
    return changes
