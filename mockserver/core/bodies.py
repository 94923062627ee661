"""Validate a request body against the operation's documented ``requestBody``.

The body's ``Content-Type`` must be one the operation documents (media ranges such as
``image/*`` included), or the request is refused as an unsupported media type. Then, by
kind: JSON is parsed (strictly: no ``NaN``, nesting bounded) and checked against the
schema; ``application/x-www-form-urlencoded`` and ``multipart/form-data`` fields are read as
the properties of the schema's object (coerced to each property's type like query
parameters, files as text) and checked; text is checked where its schema describes text;
a binary body's length in bytes is checked against the schema's ``minLength`` and
``maxLength``. XML bodies are taken as they come. A ``required`` body that is missing is
refused; an empty one is not missing (:func:`carries_body`), and is read as its media type
reads it: no bytes, an empty text, a form without fields, while empty JSON is no JSON. The first problem comes back as a :class:`BodyProblem` whose message says what
is wrong and where (a JSON pointer into the body).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from mockserver.core.parameters import CoercionError, coerce_scalar
from usage_contract_kit.media import essence, matches
from usage_contract_kit.model import MediaType, Operation
from usage_contract_kit.pointers import pointer

__all__ = ["MAX_BODY_DEPTH", "BodyProblem", "OutOfRange", "carries_body", "out_of_range", "read_json", "validate_body"]

MAX_BODY_DEPTH = 64
_MESSAGE = 300
# A \uD800-\uDFFF escape: only then can a JSON string hold a lone surrogate (raw text is UTF-8).
# (Without one, no string of the body can hold one: the search spares the walk.)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE_BYTES = re.compile(_SURROGATE_ESCAPE.pattern.encode())
_FINITE_TEXT = 300  # a number written in fewer characters, without an exponent, is within a double's range


@dataclass(frozen=True)
class BodyProblem:
    role: str  # "invalid" or "unsupported_media_type", see refusals.ROLE_STATUSES
    message: str


def carries_body(headers: Mapping[str, str], body: bytes) -> bool:
    """Whether a request sends a body, an empty one included (``headers`` by lower-case name).

    HTTP signals a body by ``Content-Length`` (``0`` for an empty one) or ``Transfer-Encoding``
    (RFC 9112 section 6); one with no bytes counts where the request also names its media
    type, as a body's sender does (RFC 9110 section 8.3). A bodiless ``POST`` that states
    ``Content-Length: 0`` alone, as browsers send it, carries none.
    """
    if body:
        return True
    return "content-type" in headers and ("content-length" in headers or "transfer-encoding" in headers)


def validate_body(
    operation: Operation, content_type: str | None, body: bytes, *, sent: bool = False
) -> BodyProblem | None:
    """``None`` if the body is what the operation documents (or it documents none).

    ``sent``: whether the request carries a body, bytes or not (:func:`carries_body`); else it does if it has bytes.
    """
    documented = operation.request_body
    if documented is None:
        return None
    offered = ", ".join(m.content_type for m in documented.contents) or "none"
    if not (body or sent):
        return BodyProblem("invalid", f"a request body is required ({offered})") if documented.required else None
    media = _documented_media(documented.contents, content_type)
    if not body and media is not None and media.kind in _NO_EMPTY_VALUE:  # zero bytes of JSON: no body at all
        return BodyProblem("invalid", f"a request body is required ({offered})") if documented.required else None
    if media is None:
        stated = f"Content-Type {essence(content_type)!r}" if content_type else "no Content-Type"
        return BodyProblem("unsupported_media_type", f"request body with {stated}; documented: {offered}")
    try:
        value = _read(media, content_type or "", body)
    except _Unreadable as exc:
        at = f" at {exc.where}" if exc.where else ""
        return BodyProblem("invalid", f"request body{at}: {exc}")
    if value is _UNCHECKED or media.validator is None:
        return None
    problem = media.validator.first_error(value)
    if problem is not None:
        where, message = problem
        return BodyProblem("invalid", f"request body{' at ' + _cut(where) if where else ''}: {_cut(message)}")
    return None


def _cut(text: str) -> str:
    """A message quotes the value it is about: keep it short however big the body is."""
    return text if len(text) <= _MESSAGE else f"{text[: _MESSAGE - 20]}... ({len(text):,} characters)"


def _documented_media(contents: tuple[MediaType, ...], content_type: str | None) -> MediaType | None:
    if not content_type:
        return None
    exact = [m for m in contents if essence(m.content_type) == essence(content_type)]
    covered = exact or [m for m in contents if matches(m.content_type, content_type)]
    return covered[0] if covered else None


class _Unreadable(ValueError):
    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(message)
        self.where = where  # a JSON pointer into the body, where the problem has a place


_UNCHECKED: Any = object()


# Media types no value of which is zero bytes: a client that names one and sends nothing (a
# Content-Type: application/json on every request, as some do) sends no body, as FastAPI,
# Spring and Express read it; an empty file, text or form is a value, judged by the schema.
_NO_EMPTY_VALUE = frozenset({"json", "multipart"})


def _read(media: MediaType, content_type: str, body: bytes) -> Any:
    kind = media.kind
    if kind == "json":
        return _json(body)
    if kind == "form":
        return _fields(media, parse_qs(_text(body), keep_blank_values=True), set())
    if kind == "multipart":
        return _multipart(media, content_type, body)
    if kind == "text" and _describes_text(media.schema):
        return _text(body)
    if kind == "binary":
        _check_length(media.schema, body)
    return _UNCHECKED


def _check_length(schema: Any, body: bytes) -> None:
    """A binary body's length in bytes within the schema's ``minLength`` and ``maxLength``."""
    if not isinstance(schema, dict):
        return
    least, most = schema.get("minLength"), schema.get("maxLength")
    if isinstance(least, int) and len(body) < least:
        raise _Unreadable(f"{len(body):,} bytes, fewer than the schema's minLength of {least:,}")
    if isinstance(most, int) and len(body) > most:
        raise _Unreadable(f"{len(body):,} bytes, more than the schema's maxLength of {most:,}")


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Unreadable(f"not UTF-8 text (byte {exc.start})") from None


def _reject_constant(name: str) -> Any:
    raise _Unreadable(f"{name} is not a JSON number")


class OutOfRange(float):
    """A JSON number past a double's range (``1e400``) as read, keeping its text for the message."""

    text: str


def _number(text: str) -> float:
    value = float(text)
    if math.isfinite(value):
        return value
    kept = OutOfRange(value)
    kept.text = text
    return kept


def out_of_range(value: Any) -> tuple[str, str] | None:
    """``(JSON pointer, message)`` of the first number in ``value`` past a double's range, as :func:`read_json` reads it."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        node, at = stack.pop()
        if isinstance(node, OutOfRange):
            return pointer(*at), f"{_cut(node.text)} is out of the range of a number"
        if isinstance(node, dict):
            stack.extend((v, (*at, k)) for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((v, (*at, i)) for i, v in reversed(list(enumerate(node))))
    return None


def read_json(text: str | bytes) -> Any:
    """JSON as ``json.loads`` reads it, but ``NaN`` and ``Infinity`` refused (``ValueError``) and a number
    past a double's range (``1e400``) kept as an :class:`OutOfRange` (:func:`out_of_range` finds it).

    A lone surrogate escape (``"\\ud800"`` without its pair) is refused too (``ValueError``, with
    its place): no character, it has no UTF-8, and the schema validator fails on it.
    """
    value = json.loads(text, parse_constant=_reject_constant, parse_float=_number)
    escaped = _SURROGATE_ESCAPE.search(text) if isinstance(text, str) else _SURROGATE_ESCAPE_BYTES.search(text)
    if escaped:
        _refuse_lone_surrogates(value)
    return value


def _refuse_lone_surrogates(value: Any) -> None:
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        node, at = stack.pop()
        texts = [node] if isinstance(node, str) else list(node) if isinstance(node, dict) else []
        for text in texts:  # a string, or an object's keys (the object's place: a key has none of its own)
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:
                code = f"\\u{ord(text[exc.start]):04x}"
                raise _Unreadable(f"a lone surrogate escape ({code}) is no character", pointer(*at)) from None
        if isinstance(node, dict):
            stack.extend((v, (*at, k)) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, (*at, i)) for i, v in enumerate(node))


def _json(body: bytes) -> Any:
    text = _text(body)
    try:
        value = read_json(text)
    except json.JSONDecodeError as exc:
        raise _Unreadable(f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except _Unreadable:
        raise
    except ValueError:  # an integer of more digits than int() reads (sys.get_int_max_str_digits())
        raise _Unreadable("a number in the JSON has more digits than can be read") from None
    except RecursionError:
        raise _Unreadable(f"JSON nested deeper than {MAX_BODY_DEPTH} levels") from None
    if _depth(value) > MAX_BODY_DEPTH:
        raise _Unreadable(f"JSON nested deeper than {MAX_BODY_DEPTH} levels")
    if "e" in text or "E" in text or len(text) > _FINITE_TEXT:  # else no number in it can be past a double's range
        found = out_of_range(value)
        if found is not None:
            raise _Unreadable(found[1], found[0])
    return value


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if level > MAX_BODY_DEPTH:
            return level
        deepest = max(deepest, level)
        if isinstance(node, dict):
            stack.extend((v, level + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, level + 1) for v in node)
    return deepest


def _multipart(media: MediaType, content_type: str, body: bytes) -> Any:
    # Imported here: the email package costs start-up time, and only multipart bodies need it.
    from email.parser import BytesParser
    from email.policy import HTTP

    if "boundary=" not in content_type.lower():
        raise _Unreadable("multipart body without a boundary in its Content-Type")
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        if _no_parts(message.get_boundary(), body):
            return _fields(media, {}, set())
        raise _Unreadable("not a multipart body")
    fields: dict[str, list[str]] = {}
    files: set[str] = set()
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise _Unreadable("a part without a name in its Content-Disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if part.get_filename() is not None:
            files.add(name)
        fields.setdefault(name, []).append(data.decode("utf-8", "replace"))
    return _fields(media, fields, files)


def _no_parts(boundary: str | None, body: bytes) -> bool:
    """Whether ``body`` is a multipart body of no parts: its close delimiter (``--B--``), after a preamble at most.

    RFC 2046 asks for one part at least, but clients send a form without fields this way
    (Python's urllib3 and requests, schemathesis) and servers read it as an empty form.
    """
    if not boundary:
        return False
    delimiter = b"--" + boundary.encode("latin-1", "replace")
    first = re.search(b"(?:^|\n)" + re.escape(delimiter) + b"(--)?[ \t]*(?:\r?\n|$)", body)
    return first is not None and first.group(1) is not None


def _fields(media: MediaType, raw: Mapping[str, list[str]], files: set[str]) -> dict[str, Any]:
    """Form fields as the schema's properties: arrays from repeated fields, scalars coerced.

    A field the schema does not declare is read by ``additionalProperties`` where that is
    a schema, and may hold any value where it is not: given more than once, its values
    are an array (which that schema, if any, then judges). A declared property that is not
    an array cannot be given twice.
    """
    schema = media.schema if isinstance(media.schema, dict) else {}
    properties = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    undeclared = extra if isinstance(extra, dict) else {}
    values: dict[str, Any] = {}
    for name, found in raw.items():
        declared = name in properties
        sub = (properties[name] if declared else undeclared) or {}
        try:
            if sub.get("type") == "array":
                items = sub.get("items") or {}
                values[name] = [coerce_scalar(v, items) if name not in files else v for v in found]
            elif len(found) > 1 and declared:
                raise _Unreadable(f"field {name!r} is given {len(found)} times")
            elif len(found) > 1:
                values[name] = [v if name in files else _field(v, sub) for v in found]
            else:
                values[name] = found[0] if name in files else _field(found[0], sub)
        except CoercionError as exc:
            raise _Unreadable(f"field {name!r}: {exc}") from None
    return values


def _field(raw: str, schema: Mapping[str, Any]) -> Any:
    if schema.get("type") in ("object", None) and raw.startswith(("{", "[")):
        try:
            return read_json(raw)  # an object field sent as JSON, as OpenAPI's default encoding says
        except ValueError:  # not JSON (NaN, a lone surrogate, a number of too many digits): the text itself
            return raw
    return coerce_scalar(raw, schema)


def _describes_text(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    declared = schema.get("type")
    return declared == "string" or (isinstance(declared, list) and "string" in declared)
