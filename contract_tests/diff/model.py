"""One difference between two versions of the contract, and the verdict a list of them gives.

A :class:`Change` says what changed (``kind``, a ``message``), where (a JSON pointer into
each version, RFC 6901, ``None`` on the side where the thing does not exist) and who it
breaks (``classification``):

* ``breaking-for-clients``: a client written for the old version may fail against a server
  of the new one (it sends a request the new version calls invalid, or gets an answer the
  old version did not promise);
* ``breaking-for-implementations``: a server written for the old version no longer
  implements the new one (it refuses or ignores a request the new version calls valid, or
  sends an answer the new version does not allow);
* ``compatible``: neither (documentation, examples, a new optional response property).

A change that breaks both sides is two records, each saying why for its side.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "CLASSIFICATIONS",
    "CLIENTS",
    "COMPATIBLE",
    "FAIL_ON",
    "IMPLEMENTATIONS",
    "Change",
    "Classification",
    "DiffError",
    "breaking_changes",
    "child",
    "exit_code",
    "pointer",
]

Classification = Literal["breaking-for-clients", "breaking-for-implementations", "compatible"]
CLIENTS: Final = "breaking-for-clients"
IMPLEMENTATIONS: Final = "breaking-for-implementations"
COMPATIBLE: Final = "compatible"
CLASSIFICATIONS: Final[tuple[Classification, ...]] = (CLIENTS, IMPLEMENTATIONS, COMPATIBLE)

#: ``--fail-on`` choices: which classifications make the command exit 1.
FAIL_ON: Final[dict[str, frozenset[str]]] = {
    "clients": frozenset({CLIENTS}),
    "implementations": frozenset({IMPLEMENTATIONS}),
    "any": frozenset({CLIENTS, IMPLEMENTATIONS}),
}


class DiffError(ValueError):
    """A document cannot be compared (for example a ``$ref`` that does not resolve)."""


@dataclass(frozen=True, order=True)
class Change:
    kind: str
    classification: Classification
    message: str
    old_pointer: str | None
    new_pointer: str | None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "kind": self.kind,
            "classification": self.classification,
            "message": self.message,
            "old_pointer": self.old_pointer,
            "new_pointer": self.new_pointer,
        }


def pointer(*parts: str | int) -> str:
    """A JSON pointer (RFC 6901) from path segments: ``pointer("paths", "/a")`` is ``/paths/~1a``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def child(base: str, *parts: str | int) -> str:
    """``base`` extended by ``parts`` (escaped)."""
    return base + pointer(*parts)


def breaking_changes(changes: Iterable[Change], *, fail_on: str) -> list[Change]:
    """The changes that count as breaking for the ``--fail-on`` choice ``fail_on``."""
    try:
        counted = FAIL_ON[fail_on]
    except KeyError:
        raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}") from None
    return [c for c in changes if c.classification in counted]


def exit_code(changes: Iterable[Change], *, fail_on: str) -> int:
    """0 when nothing breaks the chosen side, 1 otherwise."""
    return 1 if breaking_changes(changes, fail_on=fail_on) else 0
