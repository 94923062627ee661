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
from typing import Any, Protocol

from mockserver.core.security import Credential
from usage_contract_kit.model import Operation

__all__ = ["Backend", "Refusal"]


@dataclass(frozen=True)
class Refusal:
    role: str  # a key of refusals.ROLE_STATUSES
    detail: str


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
