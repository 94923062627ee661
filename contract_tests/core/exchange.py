"""What was sent and what came back, as plain data, and how to show it to people safely.

An :class:`Exchange` pairs a :class:`Sent` request with its :class:`Reply`. Everything that
shows target data or requests to people goes through two functions here:

* :func:`redact` removes every trace of a secret (the key itself, pieces of it, reversed,
  base64) and names the environment variable that holds it instead;
* :func:`printable` escapes control characters, ANSI escape sequences, carriage returns
  and bidirectional-text controls, so a target cannot rewrite a CI log or a report.

:func:`as_curl` renders a request as a replay command in which each secret is written as
its variable (``$CONTRACT_API_KEY``). Nothing here does I/O.
"""

from __future__ import annotations

import base64
import functools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

__all__ = [
    "Exchange",
    "Reply",
    "Sent",
    "SlowRequest",
    "TargetUnreachable",
    "as_curl",
    "base64_forms",
    "encode_query",
    "exact_json",
    "parse_json",
    "printable",
    "redact",
    "secret_forms",
    "secret_pieces",
]

_SHOWN_BODY = 300
_WINDOW = 12  # a run of this many characters of a secret counts as the secret
_WINDOW_64 = 16  # and this many base64 characters of it (12 bytes)
# C0 and C1 controls (ESC starts ANSI sequences; CR rewrites a line), DEL, and the Unicode
# controls that reorder or hide text. Tab and newline are handled by the caller's choice.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def printable(text: str, *, newlines: bool = False) -> str:
    """``text`` with every control character written as an escape (``\\x1b``, ``\\r``).

    With ``newlines=True``, line feeds and tabs are kept (multi-line reports); otherwise
    they are escaped too (one-line fields).
    """
    escaped = _CONTROL.sub(_escape, text)
    if not newlines:
        escaped = escaped.replace("\n", "\\n").replace("\t", "\\t")
    return escaped


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    if char == "\r":
        return "\\r"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


@functools.lru_cache(maxsize=64)  # the run's few secrets, searched for in every text shown
def base64_forms(secret: str) -> tuple[str, ...]:
    """The secret in base64 (standard and URL-safe) wherever it starts in what was encoded.

    Encoded on its own, after one byte or after two (``Basic`` credentials encode
    ``user:key``), a secret gives three different texts: each is cut to the characters the
    secret's bytes alone decide, so the neighbours' bytes change none of them.
    """
    raw = secret.encode("utf-8", "replace")
    forms = []
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        for offset in range(3):
            encoded = encode(b"\0" * offset + raw).decode("ascii")
            first, end = -(-8 * offset // 6), 8 * (offset + len(raw)) // 6  # whole 6-bit groups of the secret
            forms.append(encoded[first:end])
    return tuple(dict.fromkeys(f for f in forms if f))


@functools.lru_cache(maxsize=64)  # the run's few secrets, searched for in every text shown
def secret_forms(secret: str) -> tuple[str, ...]:
    """The ways a secret may appear in text: itself, reversed, and base64 (:func:`base64_forms`)."""
    return tuple(dict.fromkeys(f for f in (secret, secret[::-1], *base64_forms(secret)) if f))


@functools.lru_cache(maxsize=64)  # the run's few secrets, searched for in every text shown
def secret_pieces(secret: str) -> tuple[str, ...]:
    """Runs of a secret that count as the secret: 12 characters of it (or of it reversed), 16 of its base64."""
    pieces = [
        source[start : start + _WINDOW]
        for source in (secret, secret[::-1])
        for start in range(len(source) - _WINDOW + 1)
    ]
    pieces += [
        form[start : start + _WINDOW_64] for form in base64_forms(secret) for start in range(len(form) - _WINDOW_64 + 1)
    ]
    return tuple(dict.fromkeys(pieces))


_ESCAPE = r"\\u[0-9a-fA-F]{4}"
# A run of JSON string text: \uXXXX escapes (a key may be written in them) and plain characters.
_ESCAPED_RUN = re.compile(rf"(?:{_ESCAPE}|[^\s\"\\])+")


def _unescape(escape: re.Match[str]) -> str:
    code = int(escape.group(0)[2:], 16)
    return escape.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)  # a lone surrogate cannot be written out


def redact(text: str, secrets: Mapping[str, str]) -> str:
    """Replace each secret with ``$VARIABLE``, and any other trace of it with ``***``.

    A trace is the secret reversed or in base64, or any run of 12 or more of its
    characters (a key with one character changed, a truncated key), or of 16 or more of
    its base64, also written in JSON's ``\\u`` escapes (a run holding one is shown
    unescaped, redacted). Secrets shorter than 8 characters are not searched for (they
    would match ordinary words).
    """
    if "\\u" in text:

        def unescaped(run: re.Match[str]) -> str:
            if "\\u" not in run.group(0):
                return run.group(0)
            plain = re.sub(_ESCAPE, _unescape, run.group(0))
            redacted = _redact_plain(plain, secrets)
            return redacted if redacted != plain else run.group(0)

        text = _ESCAPED_RUN.sub(unescaped, text)
    return _redact_plain(text, secrets)


def _redact_plain(text: str, secrets: Mapping[str, str]) -> str:
    for secret, variable in secrets.items():
        if len(secret) < 8:
            continue
        text = text.replace(secret, f"${variable}")
        for form in secret_forms(secret)[1:]:
            text = text.replace(form, "***")
        for piece in secret_pieces(secret):
            if piece in text:
                text = text.replace(piece, "***")
    return text


class _NotJson(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _NotJson(f"JSON with {name}, which JSON does not allow (a number must be written in digits)")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # read as infinity, which a schema validator would take for null
        shown = text if len(text) <= 40 else f"{text[:37]}..."
        raise _NotJson(f"JSON with the number {shown}, past the range of a double")
    return value


def _unique_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) < len(pairs):
        names = [name for name, _ in pairs]
        twice = next(name for index, name in enumerate(names) if name in names[:index])
        raise _NotJson(f"JSON with the name {twice!r} twice in one object (parsers differ on which value counts)")
    return found


def parse_json(body: bytes, **options: Any) -> Any:
    """``json.loads`` that fails with ``ValueError`` only (a 100,000-deep array included), saying why.

    ``NaN``, ``Infinity`` and ``-Infinity`` are refused: Python reads them, JSON has no such
    values, and ``JSON.parse`` fails on them; so is a number past a double's range (``1e400``),
    which Python reads as infinity. So is a name twice in one object: Python and
    ``JSON.parse`` keep the last value, other parsers the first. So is a body that is not
    UTF-8, or that starts with a byte order mark: Python reads UTF-16, UTF-32 and a BOM,
    but JSON exchanged between systems is UTF-8 without one (RFC 8259, section 8.1).
    """
    if body.startswith(b"\xef\xbb\xbf"):
        raise _NotJson("JSON after a byte order mark, which RFC 8259 forbids (JSON.parse fails on it)")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _NotJson("JSON not in UTF-8, the only encoding RFC 8259 allows (UTF-16, Latin-1?)") from None
    try:
        options.setdefault("parse_float", _finite)
        return json.loads(text, parse_constant=_no_constant, object_pairs_hook=_unique_names, **options)
    except RecursionError:
        raise ValueError("JSON nested too deeply to parse") from None
    except (json.JSONDecodeError, _NotJson):
        raise
    except ValueError:  # an integer of more digits than int() reads (sys.get_int_max_str_digits())
        raise ValueError("JSON with a number of more digits than can be read") from None


def exact_json(body: bytes) -> Any:
    """The body parsed with exact numbers: integers as ``int``, fractions as ``Decimal``."""
    return parse_json(body, parse_float=Decimal)


class TargetUnreachable(Exception):
    """The target could not be reached, or its answer broke a bound (time, size, encoding).

    ``silent`` is true when the target sent nothing at all before the timeout (a cold start
    may look like that; a trickling or refusing target does not); ``answered`` when it did
    answer, but with a body past the cap or that cannot be decoded; ``sent`` is the request
    that failed so (its replay), when one was sent.
    """

    def __init__(self, message: str, *, silent: bool = False, answered: bool = False, sent: Sent | None = None) -> None:
        super().__init__(message)
        self.silent = silent
        self.answered = answered
        self.sent = sent


@dataclass(frozen=True)
class Sent:
    method: str
    url: str  # exactly as sent: already percent-encoded, possibly on purpose malformed
    headers: tuple[tuple[str, str], ...]
    # Header name -> how a reproduction command shows its value (a shell expression).
    shown: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:  # headers may hold a key: never in a repr
        return f"Sent({self.method} {self.url!r}, {len(self.headers)} headers)"


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    elapsed: float  # seconds

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def json(self) -> Any:
        """The parsed body; ``ValueError`` when it is not JSON (or too deeply nested)."""
        return parse_json(self.body)

    def excerpt(self) -> str:
        """The start of the body, one line, control characters escaped."""
        text = self.body[:_SHOWN_BODY].decode("utf-8", "replace")
        return printable(text) + ("..." if len(self.body) > _SHOWN_BODY else "")

    def __repr__(self) -> str:
        return f"Reply({self.status}, {len(self.body)} bytes, {self.elapsed:.3f} s)"


@dataclass(frozen=True)
class Exchange:
    sent: Sent
    reply: Reply


@dataclass(frozen=True)
class SlowRequest:
    """A request whose answer took longer than the latency budget, and its retry."""

    sent: Sent
    first: float  # seconds
    retry: float | None  # seconds; None when it was not retried

    @property
    def repeated(self) -> bool:
        """Slow again when retried: the only slowness the latency check counts."""
        return self.retry is not None


def _double_quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("`", "\\`")
    return f'"{escaped}"'


def _single_quoted(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _shell_word(text: str, secrets: Mapping[str, str]) -> str:
    """``text`` as one shell word; each secret in it becomes ``${VARIABLE}``."""
    if not any(secret and secret in text for secret in secrets):
        return _single_quoted(text)
    return '"' + _inside_double_quotes(text, secrets) + '"'


def _inside_double_quotes(text: str, secrets: Mapping[str, str]) -> str:
    for secret, variable in secrets.items():
        if secret and secret in text:
            return f"${{{variable}}}".join(_inside_double_quotes(p, secrets) for p in text.split(secret))
    return _double_quoted(text)[1:-1]


def as_curl(sent: Sent, secrets: Mapping[str, str]) -> str:
    """A ``curl`` command that replays ``sent``; secrets appear as ``$VARIABLE`` only."""
    parts = ["curl", "-I" if sent.method == "HEAD" else "-i"]
    if sent.method not in ("GET", "HEAD"):
        parts += ["-X", sent.method]
    if re.search(r"/\.\.?(/|$)", urlsplit(sent.url).path):
        parts.append("--path-as-is")  # curl would otherwise resolve the dot segments itself
    for name, value in sent.headers:
        if name in sent.shown:
            parts += ["-H", f'"{name}: {sent.shown[name]}"']
        else:
            parts += ["-H", _shell_word(f"{name}: {value}", secrets)]
    parts.append(_shell_word(sent.url, secrets))
    return printable(redact(" ".join(parts), secrets))


def encode_query(query: Sequence[tuple[str, str]]) -> str:
    """Percent-encode query pairs (spaces as %20, so padding stays visible in a URL)."""
    return urlencode(list(query), quote_via=quote, safe="")
