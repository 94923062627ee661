"""Choose what a valid request gets: a documented status, a media type, an example or generated data.

Pure functions over the :class:`~mockserver.core.answers.Catalog` made at load. The status
is the lowest documented 2xx unless ``Prefer: code=`` asks for another; the media type is
the one ``Accept`` prefers among those documented (JSON first when it does not say); the
body is the first example, a named one (``Prefer: example=``), or data drawn from the
schema (``Prefer: dynamic=true``), always with the response's documented headers.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from mockserver.core.answers import Catalog, Served, default_response, dynamic_body
from mockserver.core.encoding import encode_body
from mockserver.core.negotiation import MediaRange, acceptable
from mockserver.core.prefer import Preferences
from mockserver.core.visibility import answered_example
from usage_contract_kit.model import MediaType, Operation

__all__ = ["Broken", "NotAcceptable", "SelectionError", "Served", "select_response"]


class SelectionError(ValueError):
    """The client asked for a status or example the spec does not document."""


@dataclass(frozen=True)
class NotAcceptable:
    """``Accept`` admits none of the documented media types."""

    offered: tuple[str, ...]


@dataclass(frozen=True)
class Broken:
    """Nothing valid can be served for this response (a lenient load let it through)."""

    problem: str


def select_response(
    operation: Operation, catalog: Catalog, prefs: Preferences, accept: Sequence[MediaRange] = ()
) -> Served | NotAcceptable | Broken:
    """The response a valid request gets: the lowest 2xx, or what ``prefs`` ask for."""
    if not accept and prefs.code is None and prefs.example is None and not prefs.dynamic:
        ready = catalog.defaults.get(operation.location)
        if ready is not None:
            return ready
    if prefs.code is not None:
        response = operation.response(prefs.code)
        if response is None:
            documented = ", ".join(operation.responses) or "none"
            raise SelectionError(
                f"status {prefs.code} is not documented for {operation.method} {operation.path}; "
                f"documented: {documented}"
            )
        status = prefs.code
    else:
        status, response = default_response(operation)
    answer = catalog.answer(operation, response)
    if answer.problem is not None:
        return Broken(answer.problem)
    headers = answer.headers
    if not answer.bodies:
        if prefs.example is not None:
            raise SelectionError(f"status {status} documents no body, so no example {prefs.example!r}")
        return Served(status, None, content_type="", headers=headers)
    index = acceptable(accept, answer.offered)
    if index is None:
        return NotAcceptable(answer.offered)
    body = answer.servable[index]
    media = body.media
    if prefs.example is not None:
        example = media.example(prefs.example)
        if example is None:
            raise _no_example(prefs.example, status, media)
        value = answered_example(example.value, media, catalog.generator.definitions)
        encoded = encode_body(value, media.kind, media.schema)
        return Served(status, value, body.content_type, example.name, headers, encoded=encoded, kind=media.kind)
    if prefs.dynamic:
        seed = prefs.seed if prefs.seed is not None else random.SystemRandom().randrange(2**32)
        value, drawn = dynamic_body(body, catalog.generator, seed)
        return Served(
            status,
            value,
            body.content_type,
            f"dynamic:{seed}",
            headers,
            encoded=drawn,
            kind=media.kind,
            schema=media.schema,
        )
    return Served(status, body.value, body.content_type, body.example, headers, encoded=body.encoded, kind=media.kind)


def _no_example(name: str, status: int, media: MediaType) -> SelectionError:
    """Why the example ``name`` is not served: not documented, or left out by a lenient load."""
    names = ", ".join(e.name for e in media.examples) or "none"
    if name in media.external:
        return SelectionError(
            f"example {name!r} of status {status} ({media.content_type}) is external"
            f" ({media.external[name]}), and the mock does not fetch external examples; served instead: {names}"
        )
    if name in media.left_out:
        return SelectionError(
            f"example {name!r} of status {status} ({media.content_type}) breaks its schema, so the"
            f" lenient load left it out (its warning says where); served instead: {names}"
        )
    return SelectionError(
        f"example {name!r} is not documented for status {status} ({media.content_type}); documented: {names}"
    )
