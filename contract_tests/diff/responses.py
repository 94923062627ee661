"""Compare the documented responses of one operation: statuses, headers and bodies.

* A documented status removed breaks clients (a success they parse, or an error
  condition they handle, is now answered some other way) and implementations (answering
  it is now out of contract).
* A success or redirect status added breaks clients: an answer they do not parse.
* An error status added is compatible: RFC 9110 (section 15) has clients treat an unknown
  status as the ``x00`` of its class, so they already handle it, and implementations
  need not send it.
* A status that moves into a documented range (``4XX``) or ``default``, or out of one, is
  compared with that response instead.
* Response headers follow the property rules: removed breaks clients, made optional
  breaks clients, made required (or added required) breaks implementations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contract_tests.diff.flow import Documents, Effect, Flow, deref, emit, mapping
from contract_tests.diff.model import Change, child
from contract_tests.diff.operations import diff_content
from contract_tests.diff.schemas import diff_schemas

__all__ = ["diff_responses"]


def _statuses(responses: Any) -> dict[str, str]:
    """Normalised status (``404``, ``4XX``, ``default``) to the key written in the document."""
    return {str(k).upper() if str(k) != "default" else "default": str(k) for k in mapping(responses)}


def _cover(statuses: Mapping[str, str], status: str) -> str | None:
    """The range or ``default`` that documents ``status`` when it is not listed itself."""
    if len(status) == 3 and status[0].isdigit() and f"{status[0]}XX" in statuses:
        return f"{status[0]}XX"
    return "default" if "default" in statuses and status != "default" else None


def diff_responses(documents: Documents, where: str, old: Any, old_at: str, new: Any, new_at: str) -> list[Change]:
    changes: list[Change] = []
    before, after = _statuses(old), _statuses(new)
    for status in sorted({*before, *after}):
        label = f"{where}: response {status}"
        o_key, n_key = before.get(status), after.get(status)
        if o_key is not None and n_key is not None:
            changes += _response(documents, label, old[o_key], child(old_at, o_key), new[n_key], child(new_at, n_key))
            continue
        if o_key is not None:
            cover = _cover(after, status)
            if cover is not None:
                emit(
                    changes,
                    "response",
                    "neutral",
                    "response-folded",
                    f"{label} now documented by {cover}",
                    child(old_at, o_key),
                    child(new_at, after[cover]),
                )
                changes += _response(
                    documents, label, old[o_key], child(old_at, o_key), new[after[cover]], child(new_at, after[cover])
                )
            else:
                emit(changes, "response", "both", "response-removed", f"{label} removed", child(old_at, o_key), None)
        elif n_key is not None:
            cover = _cover(before, status)
            if cover is not None:
                emit(
                    changes,
                    "response",
                    "neutral",
                    "response-split",
                    f"{label} now documented on its own (was {cover})",
                    child(old_at, before[cover]),
                    child(new_at, n_key),
                )
                changes += _response(
                    documents, label, old[before[cover]], child(old_at, before[cover]), new[n_key], child(new_at, n_key)
                )
            else:
                effect: Effect = "neutral" if status[0] in "45" or status == "default" else "wider"
                emit(changes, "response", effect, "response-added", f"{label} added", None, child(new_at, n_key))
    return changes


def _response(documents: Documents, label: str, old: Any, old_at: str, new: Any, new_at: str) -> list[Change]:
    o, o_at = deref(documents.old, old, old_at, "old")
    n, n_at = deref(documents.new, new, new_at, "new")
    o, n = mapping(o), mapping(n)
    changes: list[Change] = []
    if o.get("description") != n.get("description") or o.get("links") != n.get("links"):
        emit(
            changes,
            "response",
            "neutral",
            "response-documentation",
            f"{label}: description or links changed",
            o_at,
            n_at,
        )
    changes += _headers(
        documents, label, o.get("headers"), child(o_at, "headers"), n.get("headers"), child(n_at, "headers")
    )
    return changes + diff_content(
        documents, "response", label, o.get("content"), child(o_at, "content"), n.get("content"), child(n_at, "content")
    )


def _headers(documents: Documents, label: str, old: Any, old_at: str, new: Any, new_at: str) -> list[Change]:
    before = {str(k).lower(): str(k) for k in mapping(old) if str(k).lower() != "content-type"}
    after = {str(k).lower(): str(k) for k in mapping(new) if str(k).lower() != "content-type"}
    changes: list[Change] = []
    for name in sorted({*before, *after}):
        here = f"{label}: header {after.get(name) or before[name]}"
        o_ref = (old[before[name]], child(old_at, before[name])) if name in before else None
        n_ref = (new[after[name]], child(new_at, after[name])) if name in after else None
        o, o_at = deref(documents.old, *o_ref, "old") if o_ref else ({}, None)
        n, n_at = deref(documents.new, *n_ref, "new") if n_ref else ({}, None)
        o, n = mapping(o), mapping(n)
        if o_at is None:
            required = n.get("required") is True
            emit(
                changes,
                "response",
                "narrower" if required else "added",
                "header-added",
                f"{here} added ({'required' if required else 'optional'})",
                None,
                n_at,
            )
        elif n_at is None:
            emit(changes, "response", "removed", "header-removed", f"{here} removed", o_at, None)
        else:
            if (o.get("required") is True) != (n.get("required") is True):
                effect: Effect = "narrower" if n.get("required") is True else "wider"
                emit(
                    changes,
                    "response",
                    effect,
                    "header-required",
                    f"{here} is now {'required' if n.get('required') is True else 'optional'}",
                    o_at,
                    n_at,
                )
            changes += diff_schemas(
                documents,
                Flow("response", here, textual=True),
                o.get("schema", {}),
                child(o_at, "schema"),
                n.get("schema", {}),
                child(n_at, "schema"),
            )
    return changes
