"""Is each answer the one its own request deserves? (pure)

Caches and shared state make an implementation answer one request with another's answer:
another caller's, another range's, a refusal's. The caching and concurrency checks compare
answers through :class:`Answer`: the status, and for a success the usage figures (read
exactly); bodies are not compared byte for byte, because an implementation may add a
request id or a timestamp.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contract_tests.core.exchange import Exchange, exact_json
from contract_tests.core.usage_semantics import counts

__all__ = ["Answer", "answer_of", "interleaving", "shared_answer_problem", "shared_cache_problem"]


@dataclass(frozen=True)
class Answer:
    status: int
    figures: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        if not self.figures:
            return str(self.status)
        return f"{self.status} {dict(self.figures)}"


def answer_of(exchange: Exchange, pointers: Sequence[str], success_status: int) -> Answer:
    """What matters of an answer: its status, and its usage figures when it is a success."""
    reply = exchange.reply
    if reply.status != success_status:
        return Answer(reply.status)
    try:
        body = exact_json(reply.body)
    except (ValueError, UnicodeDecodeError):
        return Answer(reply.status, (("(body)", reply.excerpt()),))
    return Answer(reply.status, tuple(sorted(counts(body, list(pointers)).items())))


def interleaving(kinds: int, total: int, *, seed: int = 8) -> list[int]:
    """``total`` request kinds, each about as often as the others, in a fixed shuffled order."""
    order = [i % kinds for i in range(total)]
    random.Random(seed).shuffle(order)  # noqa: S311 - a fixed order of requests, not a secret
    return order


def shared_answer_problem(narrow: Answer, wide: Answer, mixed: Answer) -> str | None:
    """``mixed`` asks the wide range from the narrow range's start instant (same UTC day).

    It must be answered like ``wide``; if it got exactly ``narrow`` while the two differ,
    the two ranges shared one answer (a cache key that leaves out part of the range).
    """
    if narrow == wide or mixed == wide:
        return None
    if mixed == narrow:
        return f"the wider range was answered {mixed}, the answer of the narrower range (alone it gives {wide})"
    return None


def _directives(cache_control: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in cache_control.split(","):
        name, _, value = part.strip().partition("=")
        if name:
            found[name.strip().lower()] = value.strip().strip('"')
    return found


def _positive(seconds: str | None) -> bool:
    return seconds is not None and seconds.isdigit() and int(seconds) > 0


def shared_cache_problem(headers: Mapping[str, str], key_header: str) -> str | None:
    """Why a shared cache (a CDN, a proxy) may hand this keyed answer to another caller; else ``None``.

    ``headers`` (lower-case names) are a success's. The key travels in ``key_header``, not in
    ``Authorization``, so a shared cache may store the answer when its ``Cache-Control``
    gives it a lifetime (``public``, ``s-maxage`` or ``max-age``) and serve it to any request
    for the URL, key or no key (RFC 9111, section 3), unless it is ``private``, ``no-store``
    or ``no-cache`` (asked to the origin again each time), or ``Vary`` names the key header.
    """
    directives = _directives(headers.get("cache-control", ""))
    if directives.keys() & {"private", "no-store", "no-cache"}:
        return None
    if not ("public" in directives or _positive(directives.get("s-maxage")) or _positive(directives.get("max-age"))):
        return None
    vary = {v.strip().lower() for v in headers.get("vary", "").split(",")}
    if "*" in vary or key_header.lower() in vary:
        return None
    return (
        f"Cache-Control: {headers['cache-control']} without Vary: {key_header} (nor private or no-store): "
        "a shared cache may serve this answer to a request without the key"
    )
