"""Every documented response, made ready once per spec version: bodies, headers, or why not.

:func:`build_catalog` goes through each operation's responses when the spec loads. For
each documented media type it takes the default body: the first example, or a value
generated from the schema (fixed choices, the schema's own examples first) and checked
against it; for each documented header, its example or a generated value, checked and
written in the ``simple`` style. Bodies are encoded to bytes there and then, so serving
the default answer costs no encoding. Where nothing valid can be produced, a strict load
raises :class:`~usage_contract_kit.errors.SpecError` with the JSON pointer of the schema;
a lenient one records a warning and the answer's ``problem``, which the engine serves as a
500 saying why. The mock never sends a body the spec does not allow.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

from mockserver.core.encoding import content_type_header, encode_body, header_text, to_xml
from mockserver.core.generation import MAX_CHARACTERS, Generator, TooLarge, Unsatisfiable
from mockserver.core.visibility import answered_example
from usage_contract_kit.errors import SpecError
from usage_contract_kit.model import Header, MediaType, Operation, Response, Spec

__all__ = ["STATIC_SEED", "Answer", "Body", "Catalog", "Served", "build_catalog", "default_response", "dynamic_body"]

STATIC_SEED = 0


_NO_HEADERS: Mapping[str, str] = MappingProxyType({})


class Served(NamedTuple):  # made per request in data mode: a tuple costs a fraction of a frozen dataclass
    """What the mock answers: status, body (data), how it goes on the wire."""

    status: int
    body: Any
    content_type: str = "application/json"
    example: str | None = None
    headers: Mapping[str, str] = _NO_HEADERS
    delay_ms: int | None = None
    encoded: bytes | None = None  # the body's bytes, when they were made once at load
    kind: str = "json"  # media kind, for encoding a body made per request
    schema: Any = None  # the body's schema (XML is written from it)
    reason: str | None = None  # a refusal's message, for an answer that drops the body (HEAD)

    def payload(self) -> bytes:
        """The body's bytes."""
        if self.encoded is not None:
            return self.encoded
        return b"" if self.body is None else encode_body(self.body, self.kind, self.schema)


@dataclass(frozen=True)
class Body:
    """One documented media type of a response, with its default body (or why there is none)."""

    media: MediaType
    value: Any
    example: str | None  # the example's name, "generated", or None
    content_type: str  # as sent
    encoded: bytes = b""
    problem: str | None = None


@dataclass(frozen=True)
class Answer:
    """One documented response of an operation, ready to serve."""

    response: Response
    bodies: tuple[Body, ...]  # in the response's order (JSON first); those with a problem included
    headers: Mapping[str, str]
    problem: str | None = None  # nothing valid can be served for this response (lenient mode)
    servable: tuple[Body, ...] = ()  # the bodies without a problem
    offered: tuple[str, ...] = ()  # their media types, for negotiation


@dataclass(frozen=True)
class Catalog:
    answers: Mapping[tuple[str, str], Answer]  # (operation location, documented status) -> answer
    generator: Generator
    warnings: tuple[str, ...] = ()
    # What a request without preferences or Accept gets, per operation: made once, served as is.
    defaults: Mapping[str, Served] = field(default_factory=dict)

    def answer(self, operation: Operation, response: Response) -> Answer:
        return self.answers[(operation.location, response.status)]


def build_catalog(spec: Spec, *, lenient: bool = False) -> Catalog:
    """Every documented response of ``spec`` ready to serve; raises :class:`SpecError` unless ``lenient``."""
    generator = Generator(spec.recursive)
    warnings: list[str] = []

    def fault(location: str, problem: str) -> str:
        error = SpecError(spec.source, location, problem)
        if not lenient:
            raise error
        warnings.append(str(error))
        return problem

    answers: dict[tuple[str, str], Answer] = {}
    defaults: dict[str, Served] = {}
    for operation in spec.operations:
        for status, response in operation.responses.items():
            answers[(operation.location, status)] = _answer(response, generator, fault)
        code, response = default_response(operation)
        key = (operation.location, response.status)
        if key not in answers:  # the empty answer of an operation that documents no response (see default_response)
            answers[key] = _answer(response, generator, fault)
        answer = answers[key]
        if answer.problem is None:
            defaults[operation.location] = _served(code, answer)
    return Catalog(answers, generator, tuple(warnings), defaults)


def default_response(operation: Operation) -> tuple[int, Response]:
    """The status and response a valid request gets: the lowest documented 2xx (or what there is).

    Without a documented status, ``2XX`` or ``default`` stands for 200; an operation that
    documents only other ranges gets the first code of the lowest one (``4XX``: 400). One
    that documents no response at all (``responses`` is optional from OpenAPI 3.1), or
    only ``1XX`` (which is no final answer), gets an empty 204: the spec says nothing more.
    """
    statuses = operation.documented_statuses
    success = [s for s in statuses if 200 <= s < 300] or list(statuses)
    responses = operation.responses
    if success:
        return success[0], responses[str(success[0])]
    for key in ("2XX", "default", "3XX", "4XX", "5XX"):
        if key in responses:
            return (200 if key == "default" else int(key[0]) * 100), responses[key]
    return 204, Response("204", "", (), {}, f"{operation.location}/responses")


def _served(status: int, answer: Answer) -> Served:
    if not answer.bodies:
        return Served(status, None, content_type="", headers=answer.headers)
    body = answer.servable[0]
    return Served(
        status, body.value, body.content_type, body.example, answer.headers, encoded=body.encoded, kind=body.media.kind
    )


def _answer(response: Response, generator: Generator, fault: Any) -> Answer:
    bodies = []
    for media in response.contents:
        generator.prepare(media.schema)
        body = _body(media, generator)
        if body.problem is not None:
            body = Body(media, None, None, body.content_type, problem=fault(f"{media.location}/schema", body.problem))
        bodies.append(body)
    headers = []
    problem = None
    for header in response.documented_headers:
        generator.prepare(header.schema)
        text = _header_value(header, generator)
        if text is not None:
            headers.append((header.name, text))
        elif header.required:
            problem = fault(header.location, f"no valid value can be produced for required header {header.name!r}")
    servable = tuple(b for b in bodies if b.problem is None)
    if response.contents and not servable:
        problem = problem or next(b.problem for b in bodies if b.problem)
    return Answer(
        response, tuple(bodies), dict(headers), problem, servable, tuple(b.media.content_type for b in servable)
    )


def _body(media: MediaType, generator: Generator) -> Body:
    content_type = content_type_header(media.content_type, media.kind)
    example = media.default_example
    if example is not None:
        value = _as_binary(example.value) if media.kind == "binary" else example.value
        value = answered_example(value, media, generator.definitions)
        return Body(media, value, example.name, content_type, encode_body(value, media.kind, media.schema))
    if media.schema is None:
        value = {} if media.kind == "json" else ""
        return Body(media, value, None, content_type, encode_body(value, media.kind))
    try:
        if media.kind == "binary" and _is_binary_string(media.schema):
            value = random_bytes(media.schema, random.Random(STATIC_SEED))  # noqa: S311 - sample bytes
            return Body(media, value, "generated", content_type, value)
        value = generator.produce(media.schema, media.validator, STATIC_SEED, static=True)
    except TooLarge as error:
        problem = f"no value of this schema can be generated: {error}, and no example is documented"
        return Body(media, None, None, content_type, problem=problem)
    except Unsatisfiable:
        return Body(media, None, None, content_type, problem=_why(media.schema))
    value = _written(value, media)
    return Body(media, value, "generated", content_type, encode_body(value, media.kind, media.schema))


def dynamic_body(body: Body, generator: Generator, seed: int) -> tuple[Any, bytes | None]:
    """Data drawn for ``Prefer: dynamic`` (valid, or the default body if no draw is)."""
    media = body.media
    if media.kind == "binary":
        if _is_binary_string(media.schema):
            with contextlib.suppress(TooLarge):
                return None, random_bytes(media.schema, random.Random(seed))  # noqa: S311 - sample bytes
        return body.value, body.encoded
    if media.schema is None:
        return body.value, body.encoded
    try:
        value = generator.produce(media.schema, media.validator, seed, static=False)
    except Unsatisfiable:
        return body.value, body.encoded
    return _written(value, media), None


def _written(value: Any, media: MediaType) -> Any:
    """Generated data as the media type carries it: bytes for binary, a document for XML (a string too)."""
    if media.kind == "binary":
        return _as_binary(value)
    if media.kind == "xml":
        return to_xml(value, media.schema)
    return value


def random_bytes(schema: Any, rng: random.Random) -> bytes:
    """Bytes for a binary body, as long as the schema's lengths allow (16 by default); :class:`TooLarge`
    past :data:`MAX_CHARACTERS` bytes."""
    schema = schema if isinstance(schema, dict) else {}
    low = int(schema.get("minLength", 16))
    high = int(schema.get("maxLength", max(low, 16)))
    length = max(0, min(max(low, 16), high))
    if length > MAX_CHARACTERS:
        raise TooLarge(f"it would hold more than {MAX_CHARACTERS:,} bytes")
    return rng.randbytes(length)


def _is_binary_string(schema: Any) -> bool:
    return not isinstance(schema, dict) or (schema.get("type") in ("string", None) and "pattern" not in schema)


def _as_binary(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    return value.encode() if isinstance(value, str) else encode_body(value, "json")


def _header_value(header: Header, generator: Generator) -> str | None:
    candidates: list[Any] = [example.value for example in header.examples]
    with contextlib.suppress(Unsatisfiable):
        candidates.append(generator.produce(header.schema, header.validator, STATIC_SEED, static=True))
    for value in candidates:
        text = header_text(value, explode=header.explode)
        if text.isascii() and text.isprintable() and header.validator.is_valid(value):
            return text
    return None


def _why(schema: Any) -> str:
    pattern = _find_pattern(schema)
    detail = f" (pattern {pattern!r} could not be matched)" if pattern else ""
    return f"no value valid against this schema could be generated{detail}, and no example is documented"


def _find_pattern(schema: Any) -> str | None:
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                return str(node["pattern"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return None
