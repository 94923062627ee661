"""Strings that match a regular expression: a generator compiled once per ``pattern``.

:func:`compile_pattern` parses a pattern with Python's own regex parser (the one ``re``
compiles with) and turns its tree into a :class:`PatternGenerator`, so drawing a string
costs no parsing: the mock compiles every ``pattern`` of a spec when it loads it. It
covers what schemas use: literals, classes (ranges, ``\\d``, ``\\w``, ``\\s``, negated sets),
``.``, groups, alternatives, bounded and unbounded repeats (unbounded ones drawn short)
and back-references; anchors produce nothing. Lookarounds are not modelled: the caller
validates what comes out, as it does for every generated value.
"""

from __future__ import annotations

import importlib
import random
import string
from collections.abc import Callable
from typing import Any

__all__ = ["PatternGenerator", "compile_pattern"]

_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

_PRINTABLE = string.ascii_letters + string.digits + "-_.~ !#$%&*+,/:;=?@^|"
_UNBOUNDED_EXTRA = 4  # an unbounded repeat draws up to this many more than its minimum
_MAX_CLASS = 256
_CATEGORIES: dict[Any, str] = {
    _c.CATEGORY_DIGIT: string.digits,
    _c.CATEGORY_NOT_DIGIT: string.ascii_letters + "-_",
    _c.CATEGORY_SPACE: " ",
    _c.CATEGORY_NOT_SPACE: string.ascii_letters + string.digits,
    _c.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    _c.CATEGORY_NOT_WORD: "-. ",
}
_Emit = Callable[[random.Random, list[str], dict[int, str]], None]


class PatternGenerator:
    """Draws strings that match one pattern (unless a lookaround it does not model says no)."""

    __slots__ = ("_emit", "pattern")

    def __init__(self, pattern: str, emit: _Emit) -> None:
        self.pattern = pattern
        self._emit = emit

    def generate(self, rng: random.Random) -> str:
        out: list[str] = []
        self._emit(rng, out, {})
        return "".join(out)


def compile_pattern(pattern: str) -> PatternGenerator | None:
    """A generator for ``pattern``, or ``None`` if Python's parser cannot read it."""
    try:
        parsed = _parser.parse(_from_ecma(pattern))
    except Exception:  # a construct Python's regex has no equivalent of, or not a regex at all
        return None
    try:
        return PatternGenerator(pattern, _sequence(list(parsed)))
    except _Unsupported:
        return None


class _Unsupported(Exception):
    pass


# JSON Schema patterns are ECMA 262 regular expressions: the few spellings Python's parser
# reads otherwise, rewritten (named groups, named back-references, common Unicode classes).
_PROPERTIES = {"L": "a-zA-Z", "Letter": "a-zA-Z", "Lu": "A-Z", "Ll": "a-z", "N": "0-9", "Nd": "0-9"}


def _from_ecma(pattern: str) -> str:
    out: list[str] = []
    index, in_class = 0, False
    while index < len(pattern):
        char = pattern[index]
        rest = pattern[index:]
        if char == "\\" and rest[1:3] in ("p{", "P{") and "}" in rest:
            name = rest[3 : rest.index("}")]
            members = _PROPERTIES.get(name)
            if members is None:
                raise ValueError(f"unknown Unicode property {name}")
            negate = "^" if rest[1] == "P" else ""
            out.append(members if in_class and not negate else f"[{negate}{members}]")
            index += len(name) + 4
            continue
        if char == "\\":
            if rest.startswith("\\k<") and ">" in rest:
                name = rest[3 : rest.index(">")]
                out.append(f"(?P={name})")
                index += len(name) + 4
                continue
            out.append(rest[:2])
            index += 2
            continue
        if not in_class and rest.startswith("(?<") and rest[3:4] not in ("=", "!"):
            out.append("(?P<")
            index += 3
            continue
        in_class = (in_class and char != "]") or (not in_class and char == "[")
        out.append(char)
        index += 1
    return "".join(out)


def _sequence(items: list[tuple[Any, Any]]) -> _Emit:
    parts = [_node(op, arg) for op, arg in items]

    def emit(rng: random.Random, out: list[str], groups: dict[int, str]) -> None:
        for part in parts:
            part(rng, out, groups)

    return emit


def _node(op: Any, arg: Any) -> _Emit:
    if op is _c.LITERAL:
        text = chr(arg)
        return lambda rng, out, groups: out.append(text)
    if op is _c.NOT_LITERAL:
        return _choice("".join(ch for ch in _PRINTABLE if ord(ch) != arg))
    if op is _c.ANY:
        return _choice(string.ascii_letters + string.digits)
    if op is _c.IN:
        return _choice(_class_members(arg))
    if op is _c.AT or op in (_c.ASSERT, _c.ASSERT_NOT):
        return lambda rng, out, groups: None
    if op is _c.BRANCH:
        return _branch([_sequence(list(alternative)) for alternative in arg[1]])
    if op is _c.SUBPATTERN:
        return _group(arg[0], _sequence(list(arg[-1])))
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _sequence(list(arg))
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) or op is getattr(_c, "POSSESSIVE_REPEAT", None):
        low, high, inner = arg
        return _repeat(low, high, _sequence(list(inner)))
    if op is _c.GROUPREF:
        return lambda rng, out, groups: out.append(groups.get(arg, ""))
    if op is _c.GROUPREF_EXISTS:
        return _sequence(list(arg[1]))
    raise _Unsupported(str(op))


def _choice(members: str) -> _Emit:
    if not members:
        raise _Unsupported("an empty character class")
    return lambda rng, out, groups: out.append(rng.choice(members))


def _branch(alternatives: list[_Emit]) -> _Emit:
    return lambda rng, out, groups: rng.choice(alternatives)(rng, out, groups)


def _group(number: int | None, inner: _Emit) -> _Emit:
    if number is None:
        return inner

    def emit(rng: random.Random, out: list[str], groups: dict[int, str]) -> None:
        start = len(out)
        inner(rng, out, groups)
        groups[number] = "".join(out[start:])

    return emit


def _repeat(low: int, high: int, inner: _Emit) -> _Emit:
    top = low + _UNBOUNDED_EXTRA if high == _c.MAXREPEAT else min(high, low + 64)

    def emit(rng: random.Random, out: list[str], groups: dict[int, str]) -> None:
        for _ in range(rng.randint(low, top)):
            inner(rng, out, groups)

    return emit


def _class_members(items: list[tuple[Any, Any]]) -> str:
    """The characters a class (``[a-z\\d_]``, ``[^,]``) admits, printable ones first, at most a few hundred."""
    negated = bool(items) and items[0][0] is _c.NEGATE
    members: list[str] = []
    outside: list[tuple[Any, Any]] = []
    for op, arg in items[1:] if negated else items:
        if op is _c.LITERAL:
            members.append(chr(arg))
        elif op is _c.RANGE:
            low, high = arg
            printable = [ch for ch in _PRINTABLE if low <= ord(ch) <= high]
            members.extend(printable or [chr(code) for code in range(low, min(high, low + _MAX_CLASS) + 1)])
        elif op is _c.CATEGORY:
            members.extend(_CATEGORIES.get(arg, ""))
        else:
            outside.append((op, arg))
    if outside:
        raise _Unsupported(f"class item {outside[0][0]}")
    if not negated:
        return "".join(dict.fromkeys(members))
    excluded = set(members) | {
        ch for op, arg in items[1:] if op is _c.RANGE for ch in _PRINTABLE if arg[0] <= ord(ch) <= arg[1]
    }
    excluded |= _category_members(items[1:])
    return "".join(ch for ch in _PRINTABLE if ch not in excluded)


def _category_members(items: list[tuple[Any, Any]]) -> set[str]:
    """Every printable character a negated class's categories (``\\s``, ``\\d`` ...) take away."""
    found: set[str] = set()
    for op, arg in items:
        if op is not _c.CATEGORY:
            continue
        for ch in _PRINTABLE:
            if _in_category(ch, arg):
                found.add(ch)
    return found


def _in_category(ch: str, category: Any) -> bool:
    checks: dict[Any, Callable[[str], bool]] = {
        _c.CATEGORY_DIGIT: str.isdigit,
        _c.CATEGORY_NOT_DIGIT: lambda c: not c.isdigit(),
        _c.CATEGORY_SPACE: str.isspace,
        _c.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
        _c.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
        _c.CATEGORY_NOT_WORD: lambda c: not (c.isalnum() or c == "_"),
    }
    check = checks.get(category)
    return check(ch) if check else False
