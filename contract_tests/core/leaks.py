"""What an error body must not carry (pure): a key, the usage data, a stack trace; and
what no answer's headers may carry: a key, a stack trace (:func:`header_leak_problems`).

:func:`leak_problems` reads one error body and lists what leaks from it:

* a configured key, also reversed, in base64, or a 12-character piece of it (an echoed
  key with one character changed is still the key);
* the success envelope (``data``, read from the spec) or any usage figure's name: the
  refused caller must not receive the usage anyway;
* a stack trace, a source file path, a database query or error (``SELECT ... FROM
  organizations``, ``SQLSTATE``, ``ORA-00942``) or an exception name (``KeyError``,
  ``NullPointerException``, ``sqlalchemy.exc.IntegrityError``); words the spec's own
  examples use (``ValidationError``) and words the request itself contained are not leaks,
  nor is an API's own error code (``AuthenticationError``, ``ResourceNotFoundException``)
  written as the value of a code property, unless a language's runtime raises an
  exception of that name (``"error": "KeyError"`` is an exception's name sent as the code).

An envelope property the error body holds with nothing in it (``"data": null``) carries
no usage.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

from contract_tests.core.exchange import parse_json, secret_forms, secret_pieces

__all__ = ["header_leak_problems", "leak_problems"]

_WINDOW = 12
_TRACES = (
    re.compile(r"Traceback \(most recent call last\)"),
    re.compile(r'File "[^"]+", line \d+'),
    re.compile(r"\bat [\w$.<>]+\([\w$]+\.(?:java|kt|scala|groovy):\d+\)"),
    re.compile(r"\bat .+ \(.+\.(?:js|mjs|cjs|ts):\d+:\d+\)"),
    re.compile(r"\bgoroutine \d+ \["),
    re.compile(r"\bpanic: "),
    re.compile(r"#\d+ /\S+\.php\(\d+\)"),
)
_PATH = re.compile(
    r"(?:(?<=[\s\"'(=:])|^)(?:/(?:usr|home|srv|var|opt|app|etc|tmp|root|Users|workspace|code)/[^\s\"')]+"
    r"|[A-Za-z]:\\[^\s\"')]+)"
)
# A query's text or a database's own error: the schema and the storage behind the API.
_SQL = (
    re.compile(r"\bSELECT\s+(?:DISTINCT\s+)?[\w*.,\s\"`()]+?\s+FROM\s+[\w.\"`]+"),
    re.compile(r"\bINSERT\s+INTO\s+[\w.\"`]+"),
    re.compile(r"\bUPDATE\s+[\w.\"`]+\s+SET\s+\w"),
    re.compile(r"\bDELETE\s+FROM\s+[\w.\"`]+"),
    re.compile(r"\bSQLSTATE\b"),
    re.compile(r"\bORA-\d{5}\b"),
    re.compile(r"syntax error at or near|error in your SQL syntax|no such table: \w|relation \"\w+\" does not exist"),
)
_SOURCE_FILE = re.compile(r"\b[\w./\\-]+\.(?:py|java|kt|js|ts|rb|php|go|cs|scala):\d+")
_EXCEPTION = re.compile(r"\b[A-Za-z][A-Za-z0-9_.]*(?:Exception|Error)\b")
# Exceptions a language's runtime or its common libraries raise when code fails (names that
# :data:`_EXCEPTION` matches, ending in Error or Exception): named in an
# error body, even as its code, they say an exception escaped. Names an API team would
# choose for a refusal (PermissionError, TimeoutError, NotImplementedError ...) are left out.
_RUNTIME_EXCEPTIONS = frozenset(
    {
        # Python
        "ArithmeticError", "AssertionError", "AttributeError", "BufferError", "EOFError", "FloatingPointError",
        "ImportError", "IndentationError", "IndexError", "JSONDecodeError", "KeyError", "LookupError",
        "MemoryError", "ModuleNotFoundError", "NameError", "OSError", "OverflowError", "RecursionError",
        "ReferenceError", "RuntimeError", "SyntaxError", "SystemError", "TabError", "TypeError",
        "UnboundLocalError", "UnicodeDecodeError", "UnicodeEncodeError", "UnicodeError", "ValueError",
        "ZeroDivisionError", "IntegrityError", "OperationalError", "ProgrammingError", "DatabaseError",
        "InterfaceError", "DataError", "FileNotFoundError", "IsADirectoryError", "BrokenPipeError",
        # JavaScript
        "RangeError", "EvalError", "URIError", "AggregateError",
        # Java, Kotlin, Scala
        "NullPointerException", "IllegalArgumentException", "IllegalStateException", "ClassCastException",
        "NumberFormatException", "ArithmeticException", "ArrayIndexOutOfBoundsException",
        "IndexOutOfBoundsException", "StringIndexOutOfBoundsException", "NoSuchElementException",
        "ConcurrentModificationException", "UnsupportedOperationException", "RuntimeException",
        "NoSuchFieldException", "NoSuchMethodException", "ClassNotFoundException", "SQLException",
        "IOException", "DataAccessException", "DataIntegrityViolationException", "NullReferenceException",
        "OutOfMemoryError", "StackOverflowError", "NoClassDefFoundError", "ExceptionInInitializerError",
        "KotlinNullPointerException", "UninitializedPropertyAccessException", "MatchError",
        "JsonProcessingException", "JsonParseException", "HttpMessageNotReadableException",
        # .NET
        "ArgumentNullException", "ArgumentException", "ArgumentOutOfRangeException", "InvalidOperationException",
        "InvalidCastException", "FormatException", "KeyNotFoundException", "DivideByZeroException",
        "OverflowException", "IndexOutOfRangeException", "NotSupportedException", "SqlException",
        "DbUpdateException", "ObjectDisposedException", "StackOverflowException", "OutOfMemoryException",
        # Ruby, PHP
        "NoMethodError", "ArgumentError", "FrozenError", "LocalJumpError", "FloatDomainError",
        "ErrorException", "PDOException", "DivisionByZeroError", "ArgumentCountError",
    }
)  # fmt: skip


def _strings(node: Any, *, values: bool = True) -> Iterator[str]:
    """Every object key in a parsed body at any depth, and every string value unless not ``values``.

    Iteratively: bodies may nest deep.
    """
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            if values:
                yield current
        elif isinstance(current, dict):
            yield from map(str, current)
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


_EMPTY: tuple[Any, ...] = (None, {}, [], "")  # an envelope property absent or holding nothing


def _code_values(node: Any, fields: Collection[str]) -> Iterator[str]:
    """The string values of ``fields`` at any depth of a parsed body (``{"error": {"code": ...}}`` too)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            for key, value in current.items():
                if isinstance(value, str) and key in fields and "." not in value:
                    yield value
                elif isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(current, list):
            stack.extend(current)


def _secret_problem(text: str, secret: str, variable: str, request_text: str) -> str | None:
    """A trace of ``secret`` in ``text``; a piece the request's URL itself held is only an echo."""
    if len(secret) < 8:
        return None
    for form in secret_forms(secret):
        if form in text:
            how = "" if form == secret else (" reversed" if form == secret[::-1] else " in base64")
            return f"the key of {variable}{how}"
    for piece in secret_pieces(secret):
        if piece in text and piece not in request_text:
            if piece in secret or piece in secret[::-1]:
                return f"{_WINDOW} or more characters of the key of {variable}"
            return f"part of the key of {variable} in base64"
    return None


def header_leak_problems(headers: Mapping[str, str], *, secrets: Mapping[str, str], request_text: str) -> list[str]:
    """The response headers that carry a key (a cookie or ``WWW-Authenticate`` echoing it, say),
    a stack trace or a source file's line (a debug header left on: ``X-Debug-Trace``)."""
    keys = [
        f"{name} carrying {problem}"
        for name, value in headers.items()
        for secret, variable in secrets.items()
        if (problem := _secret_problem(value, secret, variable, request_text)) is not None
    ]
    traces = [
        f"{name} carrying a stack trace ({found.group(0)!r})"
        for name, value in headers.items()
        if (found := next(filter(None, (p.search(value) for p in (*_TRACES, _SOURCE_FILE))), None)) is not None
        and found.group(0) not in request_text
    ]
    return keys + traces


def leak_problems(
    body: bytes,
    *,
    secrets: Mapping[str, str],
    envelope: Sequence[str],
    figure_names: Collection[str],
    allowed_words: Collection[str],
    request_text: str,
    code_fields: Collection[str] = (),
) -> list[str]:
    """What the error ``body`` leaks; ``request_text`` is what the caller itself sent.

    ``code_fields``: the properties that hold an error's code (``error``); a name written
    as one's whole value is the API's own code, unless a runtime raises an exception of that name.
    """
    text = body.decode("utf-8", "replace")
    try:
        parsed = parse_json(body)
    except (ValueError, UnicodeDecodeError):
        parsed = None
    # The strings as a client reads them: a key written in \u escapes is the key once parsed.
    read = "\n".join([text, *_strings(parsed)]) if parsed is not None else text
    problems = [
        p for secret, var in secrets.items() if (p := _secret_problem(read, secret, var, request_text)) is not None
    ]
    if isinstance(parsed, dict):
        carried = [name for name in envelope if parsed.get(name) not in _EMPTY]
        if carried:
            problems.append(f"the success body's {', '.join(repr(n) for n in carried)}")
    if parsed is not None:
        names = sorted({k for k in _strings(parsed, values=False) if k in figure_names})
        if names:
            problems.append(f"usage figures ({', '.join(names)})")
    for pattern in _TRACES:
        found = pattern.search(text)
        if found:
            problems.append(f"a stack trace ({found.group(0)!r})")
            break
    for patterns, what in (
        ((_PATH,), "a file path"),
        ((_SOURCE_FILE,), "a source file"),
        (_SQL, "a database query or error"),
    ):
        found_text = next(
            (m.group(0) for p in patterns for m in p.finditer(text) if m.group(0) not in request_text), None
        )
        if found_text:
            problems.append(f"{what} ({found_text!r})")
    codes = set(_code_values(parsed, code_fields))
    names = [
        name
        for m in _EXCEPTION.finditer(text)
        if (name := m.group(0)).rsplit(".", 1)[-1] not in allowed_words
        and name not in request_text
        and (name not in codes or name in _RUNTIME_EXCEPTIONS)
    ]
    if names:
        problems.append(f"an exception name ({names[0]!r})")
    return problems
