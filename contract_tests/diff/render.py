"""Render the changes between two versions of the contract as text, Markdown or JSON.

Text is for a terminal, Markdown for a pull-request comment or a CI summary, JSON for
tools. Every form lists each change once, breaking ones first, with the JSON pointer
on each side (``#/...``; none on the side where the thing does not exist).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Final

from contract_tests.diff.model import CLASSIFICATIONS, Change, breaking_changes

__all__ = ["FORMATS", "render"]

FORMATS: Final = ("text", "markdown", "json")
_TITLES: Final = {
    "breaking-for-clients": "breaking for clients",
    "breaking-for-implementations": "breaking for implementations",
    "compatible": "compatible",
}


def render(changes: Sequence[Change], *, fmt: str, old_name: str, new_name: str, fail_on: str) -> str:
    """The report in ``fmt`` (one of :data:`FORMATS`), ending with a newline."""
    if fmt == "json":
        return _json(changes, old_name, new_name, fail_on)
    if fmt == "markdown":
        return _markdown(changes, old_name, new_name, fail_on)
    if fmt == "text":
        return _text(changes, old_name, new_name, fail_on)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")


def _ordered(changes: Sequence[Change]) -> list[Change]:
    return sorted(changes, key=lambda c: CLASSIFICATIONS.index(c.classification))


def _summary(changes: Sequence[Change]) -> str:
    counts = [(sum(c.classification == k for c in changes), _TITLES[k]) for k in CLASSIFICATIONS]
    return ", ".join(f"{n} {title}" for n, title in counts) if changes else "no changes"


def _verdict(changes: Sequence[Change], fail_on: str) -> str:
    counted = breaking_changes(changes, fail_on=fail_on)
    side = {"clients": "clients", "implementations": "implementations", "any": "clients or implementations"}[fail_on]
    return f"breaking for {side}: {'yes' if counted else 'no'}"


def _ref(at: str | None) -> str:
    return "(none)" if at is None else f"#{at}"


def _text(changes: Sequence[Change], old_name: str, new_name: str, fail_on: str) -> str:
    lines = [f"{old_name} → {new_name}: {_summary(changes)} ({_verdict(changes, fail_on)})"]
    for classification in CLASSIFICATIONS:
        group = [c for c in changes if c.classification == classification]
        if not group:
            continue
        lines += ["", f"{_TITLES[classification].capitalize()} ({len(group)}):"]
        for change in group:
            lines.append(f"  - {change.message} [{change.kind}]")
            lines.append(f"      old {_ref(change.old_pointer)}  new {_ref(change.new_pointer)}")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown(changes: Sequence[Change], old_name: str, new_name: str, fail_on: str) -> str:
    lines = [
        f"### Contract changes: `{_cell(old_name)}` → `{_cell(new_name)}`",
        "",
        f"{_summary(changes).capitalize()}; {_verdict(changes, fail_on)}.",
    ]
    if changes:
        lines += ["", "| classification | change | kind | old | new |", "| --- | --- | --- | --- | --- |"]
        for c in _ordered(changes):
            old, new = _ref(c.old_pointer), _ref(c.new_pointer)
            lines.append(
                f"| {_TITLES[c.classification]} | {_cell(c.message)} | {c.kind} | `{_cell(old)}` | `{_cell(new)}` |"
            )
    return "\n".join(lines) + "\n"


def _json(changes: Sequence[Change], old_name: str, new_name: str, fail_on: str) -> str:
    report = {
        "old": old_name,
        "new": new_name,
        "fail_on": fail_on,
        "breaking": bool(breaking_changes(changes, fail_on=fail_on)),
        "summary": {k: sum(c.classification == k for c in changes) for k in CLASSIFICATIONS},
        "changes": [c.as_dict() for c in _ordered(changes)],
    }
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
