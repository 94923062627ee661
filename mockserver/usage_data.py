"""Data mode for the organization-usage API: the mock behaves like a real vendor.

This is the one usage-specific module of the mock. A YAML data file lists API keys, the
organizations each key may read, and each organization's daily usage per channel; or the
daily usage comes from a CSV file beside it (:mod:`mockserver.usage_csv`), one row per
organization and day, the shape a warehouse exports. The :class:`UsageBackend` it builds
answers:

* 401 for a malformed or unknown key (the engine already answers a missing one),
* 404 for an organization that does not exist, 403 for one the key may not read,
* 200 with each channel's usage summed over the inclusive range: a day counts when its
  UTC date lies between the UTC dates of ``startDate`` and ``endDate``.

Sums cost the same whatever the range: the rows live in a
:class:`~mockserver.usage_tables.UsageTable` (arrays sorted by organization and day, with
per-channel prefix sums), so a range is two binary searches (or, for days without a gap,
arithmetic) and a subtraction.

The body is the operation's documented success example with each channel's value
replaced by its sum, so the envelope (``data`` here) comes from the spec, not from code.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema_rs

from mockserver.core.backend import Computed, Refusal, new_tuple
from mockserver.core.encoding import encode_body
from mockserver.core.security import Credential
from mockserver.errors import DataError
from mockserver.usage_csv import MAX_USAGE_BYTES, read_usage_csv, table_error
from mockserver.usage_tables import TableError, UsageTable, build_table
from mockserver.usage_yaml import yaml_table
from usage_contract_kit.documents import MEGABYTE, read_yaml
from usage_contract_kit.errors import pointer
from usage_contract_kit.model import Operation, Spec
from usage_contract_kit.schemas import error_message

__all__ = [
    "DAY_MS",
    "MAX_DATA_BYTES",
    "MAX_USAGE_BYTES",
    "UsageBackend",
    "UsageFile",
    "build_backend",
    "day_of",
    "load_usage_data",
]

DAY_MS = 86_400_000
MAX_DATA_BYTES = 200 * MEGABYTE

_DATA_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["apiKeys"],
    "additionalProperties": False,
    "properties": {
        "operation": {"type": "string", "minLength": 1},
        "parameters": {
            "type": "object",
            "additionalProperties": False,
            "properties": {k: {"type": "string"} for k in ("organization", "start", "end")},
        },
        "apiKeys": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "organizations"],
                "additionalProperties": False,
                "properties": {
                    "key": {"type": "string", "minLength": 1},
                    "name": {"type": "string"},
                    "organizations": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "organizations": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "name": {"type": "string"},
                    "usage": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "additionalProperties": {"type": "number", "minimum": 0},
                        },
                    },
                },
            },
        },
    },
}
_DATA_VALIDATOR = jsonschema_rs.Draft7Validator(_DATA_SCHEMA)
_KINDS = {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}


def day_of(epoch_ms: float) -> int:
    """The UTC day (days since 1970-01-01) an epoch-millisecond instant falls on."""
    if isinstance(epoch_ms, int):
        return epoch_ms // DAY_MS
    return math.floor(epoch_ms / DAY_MS)


@dataclass(frozen=True)
class UsageFile:
    """A CSV file of daily usage that goes with the data file (``--usage``)."""

    path: Path
    source: str  # how messages name it
    max_bytes: int = MAX_USAGE_BYTES
    limit_name: str = "MOCK_MAX_USAGE_MB"


@dataclass(frozen=True)
class UsageBackend:
    """The data-mode answers for one operation of a spec."""

    operation_id: str
    organization_param: str
    start_param: str
    end_param: str
    keys: Mapping[str, frozenset[str]]
    table: UsageTable
    # The keys of ``keys`` that match every key pattern the spec documents, checked at load.
    formed: frozenset[str] = frozenset()
    # Compiled answers by the id of the example they fill (kept with it, to tell a reused id).
    _answers: dict[int, tuple[Any, Answer]] = field(default_factory=dict, compare=False, repr=False)

    def authenticate(self, operation: Operation, credentials: tuple[Credential, ...]) -> Refusal | None:
        """401 for a malformed or unknown key; ``None`` when the key is known."""
        for credential in credentials:
            if credential.value in self.formed:
                continue  # known, and of the documented shape: checked once, at load
            if not credential.well_formed:
                pattern = credential.scheme.key_pattern.pattern if credential.scheme.key_pattern else ""
                return Refusal("unauthenticated", f"malformed API key: it must match {pattern}")
            if credential.value not in self.keys:
                return Refusal("unauthenticated", "unknown API key")
        return None

    def resolve(
        self,
        operation: Operation,
        values: Mapping[str, Any],
        credentials: tuple[Credential, ...],
        example: Any,
    ) -> Refusal | Any | None:
        """The body for a valid request, a refusal, or ``None`` for operations not served."""
        if operation.operation_id != self.operation_id:
            return None
        org_id = values.get(self.organization_param, "")
        if type(org_id) is not str:  # a path parameter is text already: no call for it
            org_id = str(org_id)
        if org_id not in self.table.spans:
            return Refusal("not_found", f"organization {org_id!r} does not exist")
        if credentials:  # a key that may read the organization (not any() over a generator: in every request)
            keys = self.keys
            for credential in credentials:
                if org_id in keys.get(credential.value, ()):
                    break
            else:
                return Refusal("forbidden", f"this API key may not read organization {org_id!r}")
        first, last = values[self.start_param], values[self.end_param]
        # day_of, without a call for the usual whole milliseconds
        first = first // DAY_MS if type(first) is int else day_of(first)
        last = last // DAY_MS if type(last) is int else day_of(last)
        start, end = self.table.rows_between(org_id, first, last)
        known = self._answers.get(id(example))
        answer = known[1] if known is not None and known[0] is example else self._answer(example)
        return answer(start, end)

    def _answer(self, example: Any) -> Answer:
        """The compiled :func:`answer_for` ``example`` (the catalog's: the same object each time)."""
        if len(self._answers) >= _MAX_ANSWERS:
            self._answers.clear()
        compiled = answer_for(example, self.table.sums)
        self._answers[id(example)] = (example, compiled)
        return compiled


Answer = Callable[[int, int], Computed]
_MAX_ANSWERS = 64
_COMPILED_DEPTH = 32  # deeper templates are filled step by step (the parser nests at most 200 levels)
_COMPILED_NODES = 2_000  # and so are larger ones (one function per example, compiled once)


def answer_for(template: Any, sums: Mapping[str, Sequence[int | float]]) -> Answer:
    """What answers with a copy of ``template``, every property named after a channel set to its total.

    The copy's channel totals are over the rows ``[start, end)`` it is called with: a
    channel's total is the difference of its prefix sums (see :class:`UsageTable`). The
    answer carries the copy and, when every channel holds whole numbers, the copy's compact
    JSON (:func:`json_form`). Both come from one function compiled once per example::

        def answer(s, e):
            t0 = c0[e] - c0[s]
            ...
            return new(Computed, ({k0: {k1: t0, ...}}, form % (t0, ...)))

    Only names made here go into the source: keys, columns and leaves are bound as
    constants (``k0``, ``c0``, ``v0``), whatever the example holds. A template too deep or
    too large for that is filled step by step, and the engine encodes it.
    """
    source = _AnswerSource(sums)
    body = source.expression(template, 0)
    if body is None:
        stepwise = _stepwise_fill(template, sums)
        return lambda start, end: Computed(stepwise(start, end))
    written = "None"
    if (known := json_form(template, sums)) is not None:
        form, columns = known
        written = f"{source.name('form', form)} % ({''.join(source.total(column) + ', ' for column in columns)})"
    code = f"def answer(s, e):\n{''.join(source.steps)}    return new(Computed, ({body}, {written}))\n"
    # Generated from names made by _AnswerSource only; every value of the example is a bound constant.
    exec(code, source.bound)  # noqa: S102
    return source.bound["answer"]  # type: ignore[no-any-return]


class _AnswerSource:
    """The source of :func:`answer_for`'s function, and the constants it is run with."""

    def __init__(self, sums: Mapping[str, Sequence[int | float]]) -> None:
        self.sums = sums
        self.bound: dict[str, Any] = {"number": _number, "new": new_tuple, "Computed": Computed}
        self.totals: dict[int, str] = {}  # id(column) -> the local holding its total
        self.steps: list[str] = []
        self.nodes = 0

    def name(self, prefix: str, value: Any) -> str:
        key = f"{prefix}{len(self.bound)}"
        self.bound[key] = value
        return key

    def total(self, column: Any) -> str:
        local = self.totals.get(id(column))
        if local is None:
            local = self.totals[id(column)] = f"t{len(self.totals)}"
            given = self.name("c", column)
            self.steps.append(f"    {local} = {given}[e] - {given}[s]\n")
        return local

    def expression(self, value: Any, depth: int) -> str | None:
        """The expression making a copy of ``value``, or ``None`` past the depth or size compiled."""
        self.nodes += 1
        if depth > _COMPILED_DEPTH or self.nodes > _COMPILED_NODES:
            return None
        if isinstance(value, dict):
            items = []
            for key, inner in value.items():
                column = self.sums.get(key)
                if column is not None:
                    part: str | None = self.total(column)
                    if getattr(column, "typecode", "d") != "q":
                        part = f"number({part})"
                else:
                    part = self.expression(inner, depth + 1)
                    if part is None:
                        return None
                items.append(f"{self.name('k', key)}: {part}")
            return "{" + ", ".join(items) + "}"
        if isinstance(value, list):
            parts = [self.expression(item, depth + 1) for item in value]
            return None if None in parts else "[" + ", ".join(parts) + "]"  # type: ignore[arg-type]
        return self.name("v", value)  # the template's own leaf, shared by every copy


def _stepwise_fill(template: Any, sums: Mapping[str, Sequence[int | float]]) -> Callable[[int, int], Any]:
    """:func:`answer_for`'s copy as nested closures, for a template too deep or too large to compile."""
    if isinstance(template, dict):
        parts = tuple(
            (key, sums.get(key), None if key in sums else _stepwise_fill(value, sums))
            for key, value in template.items()
        )

        def filled_object(start: int, end: int) -> dict[str, Any]:
            return {
                key: _number(column[end] - column[start]) if inner is None else inner(start, end)  # type: ignore[index]
                for key, column, inner in parts
            }

        return filled_object
    if isinstance(template, list):
        items = tuple(_stepwise_fill(item, sums) for item in template)
        return lambda start, end: [item(start, end) for item in items]
    return lambda start, end: template


def json_form(template: Any, sums: Mapping[str, Sequence[int | float]]) -> tuple[bytes, tuple[Any, ...]] | None:
    """The compact JSON of ``template`` as a ``%`` form with a ``%d`` where each channel goes, and the columns in order.

    The template is encoded once, as the engine encodes bodies, with a marker where each
    channel goes; ``None`` when a channel holds fractions, the template has no channel, or
    it holds a marker's text itself (the encoder then writes each answer).
    """
    columns: list[Any] = []

    def marked(value: Any) -> Any:
        if isinstance(value, dict):
            marks = {}
            for key, inner in value.items():
                if key in sums:
                    marks[key] = _MARKER % len(columns)
                    columns.append(sums[key])
                else:
                    marks[key] = marked(inner)
            return marks
        if isinstance(value, list):
            return [marked(item) for item in value]
        return value

    text = encode_body(marked(template), "json").decode()
    if not columns or any(getattr(column, "typecode", "d") != "q" for column in columns):
        return None
    parts = text.replace("%", "%%")
    quoted = [encode_body(_MARKER % index, "json").decode() for index in range(len(columns))]
    if any(parts.count(mark) != 1 for mark in quoted):
        return None
    taken = tuple(column for _, column in sorted(zip((parts.index(m) for m in quoted), columns, strict=True)))
    for mark in quoted:
        parts = parts.replace(mark, "%d")
    return parts.encode(), taken


_MARKER = "\x00usage channel %d\x00"  # a text no real example holds (and json_form checks)


def _number(value: int | float) -> int | float:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _channels_in(template: Any) -> set[str]:
    if isinstance(template, dict):
        found = {k for k, v in template.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        for value in template.values():
            found |= _channels_in(value)
        return found
    if isinstance(template, list):
        return set().union(*(_channels_in(v) for v in template)) if template else set()
    return set()


def load_usage_data(
    path: str | Path,
    spec: Spec,
    *,
    source: str | None = None,
    max_bytes: int = MAX_DATA_BYTES,
    limit_name: str = "MOCK_MAX_DATA_MB",
    usage: UsageFile | None = None,
) -> UsageBackend:
    """Read and check a data file (and its usage CSV) against ``spec``; raise :class:`DataError` naming the fault."""
    name = str(path) if source is None else source
    document = read_yaml(path, source=name, max_bytes=max_bytes, limit_name=limit_name, error=DataError)
    return build_backend(document.value, spec, source=name, usage=usage)


def build_backend(raw: Any, spec: Spec, *, source: str = "<data>", usage: UsageFile | None = None) -> UsageBackend:
    """Build the backend from already parsed data (and read the usage CSV, if one is given)."""
    if not isinstance(raw, dict):
        problem = "the file is empty" if raw is None else f"the file holds a {_KINDS.get(type(raw), 'value')}"
        raise DataError(source, "", f"{problem}: it must be a mapping with apiKeys and organizations")
    # Dates as YAML keys arrive as date objects; JSON Schema needs strings.
    for org in raw.get("organizations") or []:
        if isinstance(org, dict) and isinstance(org.get("usage"), dict):
            org["usage"] = {str(k): v for k, v in org["usage"].items()}
    for error in _DATA_VALIDATOR.iter_errors(raw):
        raise DataError(source, pointer(*error.instance_path), error_message(raw, error))
    operation, bound = _bound_operation(raw, spec, source)
    channels = tuple(sorted(_channels_in(_success_example(operation))))
    table = _usage_table(raw, channels, bound["organization"], source=source, usage=usage)
    keys = _keys(raw, table, source=source, usage=usage)
    return UsageBackend(
        operation_id=operation.operation_id,
        organization_param=bound["organization"],
        start_param=bound["start"],
        end_param=bound["end"],
        keys=keys,
        table=table,
        formed=_formed(keys, spec),
    )


def _bound_operation(raw: Mapping[str, Any], spec: Spec, source: str) -> tuple[Operation, dict[str, str]]:
    """The operation data mode answers, and its parameters by role (organization, start, end)."""
    params = raw.get("parameters", {})
    operation_id = raw.get("operation", "getOrganizationUsage")
    operation = next((op for op in spec.operations if op.operation_id == operation_id), None)
    if operation is None:
        raise DataError(source, "/operation", f"the spec has no operation {operation_id!r}")
    names = {p.name for p in operation.parameters}
    bound = {
        "organization": params.get("organization", "organizationId"),
        "start": params.get("start", "startDate"),
        "end": params.get("end", "endDate"),
    }
    for role, name in bound.items():
        if name not in names:
            raise DataError(source, f"/parameters/{role}", f"{operation_id} has no parameter {name!r}")
    return operation, bound


def _usage_table(
    raw: Mapping[str, Any], channels: tuple[str, ...], organization_column: str, *, source: str, usage: UsageFile | None
) -> UsageTable:
    listed = _listed_organizations(raw, source, usage)
    if usage is None:
        return yaml_table(raw["organizations"], channels, source=source)
    columns = read_usage_csv(
        usage.path,
        source=usage.source,
        organization_column=organization_column,
        channels=channels,
        max_bytes=usage.max_bytes,
        limit_name=usage.limit_name,
    )
    try:
        return build_table(columns, also=listed)
    except TableError as exc:
        raise table_error(usage.source, exc) from None


def _keys(
    raw: Mapping[str, Any], table: UsageTable, *, source: str, usage: UsageFile | None
) -> dict[str, frozenset[str]]:
    """Each key and the organizations it may read; every organization named must exist."""
    keys: dict[str, frozenset[str]] = {}
    for index, entry in enumerate(raw["apiKeys"]):
        for j, org_id in enumerate(entry["organizations"]):
            if org_id not in table:
                where = "listed" if usage is None else f"listed, nor in {usage.source}"
                raise DataError(
                    source, pointer("apiKeys", index, "organizations", j), f"organization {org_id!r} is not {where}"
                )
        keys[entry["key"]] = keys.get(entry["key"], frozenset()) | frozenset(entry["organizations"])
    return keys


def _formed(keys: Mapping[str, Any], spec: Spec) -> frozenset[str]:
    """The keys that match the key pattern of every scheme the spec's operations name."""
    patterns = {
        scheme.key_pattern
        for operation in spec.operations
        for requirement in operation.security
        for scheme in requirement
        if scheme.key_pattern is not None
    }
    return frozenset(key for key in keys if all(pattern.fullmatch(key) for pattern in patterns))


def _success_example(operation: Operation) -> Any:
    statuses = [s for s in operation.documented_statuses if 200 <= s < 300]
    response = operation.responses[str(statuses[0])] if statuses else None
    if response is None or response.media is None or response.media.default_example is None:
        return {}
    return response.media.default_example.value


def _listed_organizations(raw: Mapping[str, Any], source: str, usage: UsageFile | None) -> list[str]:
    """The ids the data file lists (each once); with a usage CSV, without daily usage of their own."""
    if "organizations" not in raw and usage is None:
        raise DataError(source, "", "no organizations: list them here, or give the daily usage in a CSV (--usage)")
    ids: list[str] = []
    for index, org in enumerate(raw.get("organizations", [])):
        if org["id"] in ids:
            raise DataError(
                source, pointer("organizations", index, "id"), f"organization {org['id']!r} is listed twice"
            )
        if usage is not None and "usage" in org:
            raise DataError(
                source,
                pointer("organizations", index, "usage"),
                f"daily usage comes from {usage.source}; list it there, not here",
            )
        ids.append(org["id"])
    return ids
