"""What a data source plugs into the engine, and how it refuses a request.

Example mode has no backend: the engine serves the spec's examples. Data mode plugs in a
:class:`Backend` (for this API, :mod:`mockserver.usage_data`) that knows which keys exist
and what each request's answer is. A backend never speaks HTTP: it refuses with a
:class:`Refusal` *role* ("unauthenticated", "forbidden", "not_found" ...), and the engine
turns the role into the status and body the spec documents for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from mockserver.core.answers import Served
from mockserver.core.security import Credential
from usage_contract_kit.model import Operation

__all__ = ["Backend", "Computed", "Refusal", "computed_answer", "implausible", "new_tuple"]


@dataclass(frozen=True)
class Refusal:
    role: str  # a key of refusals.ROLE_STATUSES
    detail: str


class Computed(NamedTuple):
    """A body a backend computed, with the bytes of its compact JSON when it wrote them itself."""

    value: Any
    json: bytes | None = None


# tuple.__new__(Computed, (value, json)) makes one without a Python frame, as a backend's hot path does;
# a call of tuple.__new__ itself, not through functools.partial, which would build its arguments again.
new_tuple = tuple.__new__


class Backend(Protocol):
    """What data mode plugs into the engine (see :mod:`mockserver.usage_data`)."""

    def authenticate(self, operation: Operation, credentials: tuple[Credential, ...]) -> Refusal | None: ...

    def resolve(
        self,
        operation: Operation,
        values: Mapping[str, Any],
        credentials: tuple[Credential, ...],
        example: Any,
    ) -> Refusal | Any | None: ...


def implausible(credentials: tuple[Credential, ...]) -> Refusal | None:
    """Example mode accepts any key that starts like the documented shape."""
    for credential in credentials:
        if not credential.plausible:
            pattern = credential.scheme.key_pattern.pattern if credential.scheme.key_pattern else ""
            return Refusal(
                "unauthenticated",
                f"malformed credentials in {credential.scheme.location} {credential.scheme.parameter}: keys look like {pattern}",
            )
    return None


def computed_answer(default: Served, result: Any, delay_ms: int | None = None) -> Served:
    """The answer carrying a body a backend computed, on the wire as ``default`` (the documented one) goes."""
    encoded = None
    if type(result) is Computed:
        result, encoded = result.value, result.json if default.kind == "json" else None
    return new_tuple(
        Served,
        (
            default.status,
            result,
            default.content_type,
            "data",
            default.headers,
            delay_ms,
            encoded,
            default.kind,
            default.schema,
            None,  # not a refusal
        ),
    )
