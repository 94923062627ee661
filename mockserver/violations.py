"""Where the validating proxy reports what it found: a journal, log lines and a header.

Every exchange that broke a rule of the contract becomes one entry of the violations
journal (``GET /__admin/violations``): the request (credentials redacted), the status, the
start of the response body, and each violation with the JSON pointer of its rule. The
journal is a :class:`~mockserver.journal.Journal` with fields of its own, shared by the
server's worker processes like the request journal and bounded the same way.

Text that reaches a log, the journal or a header is made safe here: the request's
credentials are taken out wherever they appear (whole, reversed, in base64, or the secret
part after the key's prefix), control characters are escaped, and lengths are bounded.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mockserver.access_log import printable
from mockserver.core.conformance import Violation
from mockserver.journal import Journal

__all__ = [
    "FIELDS",
    "describe",
    "entry",
    "header_value",
    "scrub",
    "violations_journal",
]

FIELDS = (
    "method",
    "path",
    "query",
    "credentials",
    "operationId",
    "status",
    "served",
    "contentType",
    "excerpt",
    "violations",
    "violationCount",
    "durationMs",
)
EXCERPT = 240  # characters of the response body kept in an entry
_PER_ENTRY = 5  # violations kept in full in one entry; the count says how many there were
_HIDDEN = "***"


def violations_journal(limit: int) -> Journal:
    """The journal of exchanges that broke the contract (entries of at most about 4 KB)."""
    return Journal(limit, entry_size=4096, fields=FIELDS)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` without any of ``secrets``: whole, reversed, in base64, or their part after a prefix."""
    for secret in secrets:
        if len(secret) < 4:
            continue
        forms = {secret, secret[::-1], base64.b64encode(secret.encode()).decode().rstrip("=")}
        _, underscore, rest = secret.rpartition("_")
        if underscore and len(rest) >= 8:
            forms |= {rest, rest[::-1]}
        for form in sorted(forms, key=len, reverse=True):
            text = text.replace(form, _HIDDEN)
    return text


def describe(violation: Violation, secrets: Sequence[str]) -> str:
    """``response body-schema: at /data/usageSms: ... (#/paths/...)``, safe for a log line."""
    text = f"{violation.side} {violation.rule}: {violation.message} ({violation.pointer})"
    return printable(scrub(text, secrets), 600)


def header_value(violations: Sequence[Violation], secrets: Sequence[str]) -> str:
    """``X-Contract-Violations``: the count, then the first one; ASCII only, at most about 400 characters."""
    first = describe(violations[0], secrets)
    value = f"{len(violations)}; first: {first}"
    ascii_only = value.encode("ascii", "backslashreplace").decode("ascii")
    return ascii_only if len(ascii_only) <= 400 else ascii_only[:397] + "..."


def entry(
    *,
    request: Mapping[str, Any],
    status: int | None,
    served: str,
    content_type: str | None,
    body: bytes,
    violations: Sequence[Violation],
    secrets: Sequence[str],
    elapsed_ms: float,
) -> dict[str, Any]:
    """One journal entry: ``request`` holds the method, path, query, credentials (redacted) and operationId."""
    text = body[: EXCERPT * 4].decode("utf-8", "replace")
    return {
        **request,
        "status": status,
        "served": served,
        "contentType": printable(scrub(content_type, secrets), 120) if content_type is not None else None,
        "excerpt": printable(scrub(text, secrets), EXCERPT) if body else "",
        "violations": [_as_dict(v, secrets) for v in violations[:_PER_ENTRY]],
        "violationCount": len(violations),
        "durationMs": round(elapsed_ms, 3),
    }


def _as_dict(violation: Violation, secrets: Sequence[str]) -> dict[str, str]:
    return {
        "side": violation.side,
        "rule": violation.rule,
        "pointer": printable(violation.pointer, 200),
        "message": printable(scrub(violation.message, secrets), 240),
    }
