"""Values for the string ``format``s that specs use, fixed ones and drawn ones.

A fixed value (``static``) reads like documentation (``user@example.com``); a drawn one
varies with the seed. Unknown formats have no entry: the generator then draws plain text.
"""

from __future__ import annotations

import base64
import random
import uuid
from collections.abc import Callable

__all__ = ["format_value"]

_Draw = Callable[[random.Random], str]


def _date(rng: random.Random) -> str:
    return f"{rng.randint(2000, 2030)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _time(rng: random.Random) -> str:
    return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"


_FORMATS: dict[str, tuple[str, _Draw]] = {
    "date-time": ("2026-01-01T12:00:00Z", lambda rng: f"{_date(rng)}T{_time(rng)}"),
    "date": ("2026-01-01", _date),
    "time": ("12:00:00Z", _time),
    "email": ("user@example.com", lambda rng: f"user{rng.randint(1, 9999)}@example.com"),
    "idn-email": ("user@example.com", lambda rng: f"user{rng.randint(1, 9999)}@example.com"),
    "hostname": ("example.com", lambda rng: f"host{rng.randint(1, 999)}.example.com"),
    "idn-hostname": ("example.com", lambda rng: f"host{rng.randint(1, 999)}.example.com"),
    "ipv4": ("192.0.2.1", lambda rng: f"192.0.2.{rng.randint(1, 254)}"),
    "ipv6": ("2001:db8::1", lambda rng: f"2001:db8::{rng.randint(1, 0xFFFF):x}"),
    "uri": ("https://example.com/resource", lambda rng: f"https://example.com/resource/{rng.randint(1, 9999)}"),
    "url": ("https://example.com/resource", lambda rng: f"https://example.com/resource/{rng.randint(1, 9999)}"),
    "iri": ("https://example.com/resource", lambda rng: f"https://example.com/resource/{rng.randint(1, 9999)}"),
    "uri-reference": ("/resource", lambda rng: f"/resource/{rng.randint(1, 9999)}"),
    "iri-reference": ("/resource", lambda rng: f"/resource/{rng.randint(1, 9999)}"),
    "uri-template": ("https://example.com/resource/{id}", lambda rng: "https://example.com/resource/{id}"),
    "uuid": (
        "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        lambda rng: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    ),
    "byte": ("c3RyaW5n", lambda rng: base64.b64encode(rng.randbytes(rng.randint(3, 24))).decode()),
    "password": ("secret", lambda rng: "".join(rng.choice("abcdefgh12345678") for _ in range(12))),
    "duration": ("P1D", lambda rng: f"P{rng.randint(1, 30)}D"),
    "json-pointer": ("/a/b", lambda rng: f"/items/{rng.randint(0, 99)}"),
    "relative-json-pointer": ("0/a", lambda rng: f"{rng.randint(0, 3)}/a"),
    "regex": ("^[a-z]+$", lambda rng: "^[a-z]+$"),
}


def format_value(fmt: str, rng: random.Random, *, static: bool) -> str | None:
    """A string of format ``fmt``, or ``None`` for a format without an entry here."""
    entry = _FORMATS.get(fmt)
    if entry is None:
        return None
    fixed, draw = entry
    return fixed if static else draw(rng)
