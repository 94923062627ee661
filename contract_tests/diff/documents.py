"""Compare two versions of an OpenAPI document: :func:`diff_documents` is the whole check.

Operations are matched by method and path template with parameter names left out
(``/orgs/{id}`` and ``/orgs/{orgId}`` are one path on the wire). An operation removed
breaks clients; one added breaks implementations (they do not serve it yet). For each
operation present in both, parameters, request body, responses, security and the kit's
``x-cross-parameter-rules`` are compared. Components are compared only where the paths
use them, through their ``$ref``s, so an unused or renamed component is no change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from contract_tests.diff.flow import Documents, Effect, deref, emit, mapping
from contract_tests.diff.keywords import canonical
from contract_tests.diff.model import Change, DiffError, child, pointer
from contract_tests.diff.operations import diff_parameters, diff_request_body, parameter_map
from contract_tests.diff.responses import diff_responses
from contract_tests.diff.security import diff_security

__all__ = ["diff_documents"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_OPERATION_DOCUMENTATION = ("summary", "description", "tags", "externalDocs")
_Operation = tuple[str, Mapping[str, Any], str, Mapping[str, Any], str]  # template, item, item at, operation, at


def diff_documents(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every difference between two parsed OpenAPI documents, classified (see :mod:`contract_tests.diff.model`).

    Raises :class:`DiffError` for a document that cannot be compared (not a mapping, a
    ``$ref`` that does not resolve, an undefined security scheme).
    """
    for label, document in (("old", old), ("new", new)):
        if not isinstance(document, Mapping) or not isinstance(document.get("paths", {}), Mapping):
            raise DiffError(f"{label} document: not an OpenAPI document (no 'paths' object)")
    documents = Documents(old, new)
    changes = _document_level(old, new)
    before, after = _operations(old, "old"), _operations(new, "new")
    for key in sorted({*before, *after}):
        if key not in after:
            template, *_, at = before[key]
            message = f"{key[1].upper()} {template}: operation removed"
            emit(changes, "request", "removed", "operation-removed", message, at, None)
        elif key not in before:
            template, *_, at = after[key]
            message = f"{key[1].upper()} {template}: operation added; implementations must serve it"
            emit(changes, "request", "added", "operation-added", message, None, at)
        else:
            changes += _operation(documents, key[1], before[key], after[key])
    unique: list[Change] = []
    for change in changes:
        if change not in unique:
            unique.append(change)
    return unique


def _operations(document: Mapping[str, Any], label: str) -> dict[tuple[str, str], _Operation]:
    found: dict[tuple[str, str], _Operation] = {}
    for template, raw in mapping(document.get("paths")).items():
        item, item_at = deref(document, raw, pointer("paths", str(template)), label)
        if not isinstance(item, Mapping):
            raise DiffError(f"{label} document, {item_at}: a path item must be an object")
        shape = re.sub(r"\{[^{}]*\}", "{}", str(template))
        for method in _METHODS:
            if isinstance(item.get(method), Mapping):
                found[(shape, method)] = (str(template), item, item_at, item[method], child(item_at, method))
    return found


def _operation(documents: Documents, method: str, old: _Operation, new: _Operation) -> list[Change]:
    o_template, o_item, o_item_at, o, o_at = old
    n_template, n_item, n_item_at, n, n_at = new
    where = f"{method.upper()} {n_template}"
    changes: list[Change] = []
    if o.get("deprecated") is not True and n.get("deprecated") is True:
        emit(changes, "request", "neutral", "operation-deprecated", f"{where}: deprecated", o_at, n_at)
    if o.get("operationId") != n.get("operationId"):
        message = f"{where}: operationId {o.get('operationId')} → {n.get('operationId')} (code generated from the contract names it differently)"
        emit(changes, "request", "neutral", "operation-id", message, o_at, n_at)
    documentation = [k for k in _OPERATION_DOCUMENTATION if canonical(o.get(k)) != canonical(n.get(k))]
    documentation += [
        k
        for k in sorted({*o, *n})
        if k.startswith("x-") and k != "x-cross-parameter-rules" and canonical(o.get(k)) != canonical(n.get(k))
    ]
    if documentation:
        emit(
            changes,
            "request",
            "neutral",
            "operation-documentation",
            f"{where}: {', '.join(documentation)} changed",
            o_at,
            n_at,
        )
    old_parameters = parameter_map(documents.old, o_template, o_item, o_item_at, o, o_at, "old")
    new_parameters = parameter_map(documents.new, n_template, n_item, n_item_at, n, n_at, "new")
    changes += diff_parameters(documents, where, old_parameters, new_parameters)
    changes += diff_request_body(
        documents,
        where,
        o.get("requestBody"),
        child(o_at, "requestBody"),
        n.get("requestBody"),
        child(n_at, "requestBody"),
    )
    changes += diff_responses(
        documents, where, o.get("responses"), child(o_at, "responses"), n.get("responses"), child(n_at, "responses")
    )
    changes += diff_security(documents, where, o, o_at, n, n_at)
    changes += _rules(where, o.get("x-cross-parameter-rules"), o_at, n.get("x-cross-parameter-rules"), n_at)
    for key in ("callbacks", "servers"):
        if canonical(o.get(key)) != canonical(n.get(key)):
            emit(changes, "request", "both", f"operation-{key}", f"{where}: {key} changed; not compared", o_at, n_at)
    return changes


def _rules(where: str, old: Any, old_at: str, new: Any, new_at: str) -> list[Change]:
    """``x-cross-parameter-rules``: a rule added refuses more requests, one removed fewer."""

    def by_identity(rules: Any, at: str) -> dict[str, tuple[Mapping[str, Any], str]]:
        return {
            canonical([rule.get("rule"), rule.get("parameters")]): (rule, child(at, "x-cross-parameter-rules", index))
            for index, rule in enumerate(rules if isinstance(rules, list) else ())
            if isinstance(rule, Mapping)
        }

    before, after = by_identity(old, old_at), by_identity(new, new_at)
    changes: list[Change] = []
    for key in sorted({*before, *after}):
        rule = (after.get(key) or before[key])[0]
        label = f"{where}: cross-parameter rule {rule.get('rule')} {', '.join(map(str, rule.get('parameters') or ()))}"
        o, n = before.get(key), after.get(key)
        if o is None or n is None:
            effect: Effect = "narrower" if o is None else "wider"
            emit(
                changes,
                "request",
                effect,
                "cross-parameter-rule",
                f"{label} {'added' if o is None else 'removed'}",
                o and o[1],
                n and n[1],
            )
        elif canonical(o[0]) != canonical(n[0]):
            emit(changes, "request", "neutral", "cross-parameter-rule", f"{label}: message changed", o[1], n[1])
    return changes


def _document_level(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    changes: list[Change] = []
    o_urls = {str(s.get("url")) for s in old.get("servers") or () if isinstance(s, Mapping)}
    n_urls = {str(s.get("url")) for s in new.get("servers") or () if isinstance(s, Mapping)}
    for url in sorted(o_urls - n_urls):
        emit(
            changes,
            "request",
            "removed",
            "server-removed",
            f"server {url} removed: clients using it must move",
            pointer("servers"),
            pointer("servers"),
        )
    for url in sorted(n_urls - o_urls):
        emit(
            changes, "request", "neutral", "server-added", f"server {url} added", pointer("servers"), pointer("servers")
        )
    if canonical(old.get("servers")) != canonical(new.get("servers")) and o_urls == n_urls:
        emit(
            changes,
            "request",
            "neutral",
            "server-documentation",
            "servers: descriptions or variables changed",
            pointer("servers"),
            pointer("servers"),
        )
    documentation = [
        k for k in sorted({*old, *new}) if k in ("openapi", "info", "tags", "externalDocs") or k.startswith("x-")
        if canonical(old.get(k)) != canonical(new.get(k))
    ]  # fmt: skip
    if documentation:
        emit(changes, "request", "neutral", "document-documentation", f"{', '.join(documentation)} changed", "", "")
    if canonical(old.get("webhooks")) != canonical(new.get("webhooks")):
        emit(
            changes,
            "request",
            "both",
            "webhooks",
            "webhooks changed; not compared",
            pointer("webhooks"),
            pointer("webhooks"),
        )
    return changes
