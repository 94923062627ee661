"""Loose spellings of organization ids, and malformed URLs (pure).

:func:`path_variants` builds request paths from the configured ids that an implementation
might resolve to an organization other than the one the path names exactly: another case,
surrounding spaces, a trailing ``/``, doubled slashes, and ``/..`` segments (plain or
percent-encoded) leading from one organization to the other. Each variant says whose
usage it may at most return: ``"own"`` (the readable organization, or a refusal) or
``None`` (nobody's: it names no organization the key may read, so it must be refused).

:func:`malformed_paths` and :func:`malformed_queries` build percent-escapes that decode to
nothing valid (``%ZZ``, a lone ``%``, invalid UTF-8): each must get a 4xx, never a 5xx.
Paths are returned exactly as they must be sent (the client does not re-encode them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from contract_tests.core.contract import Contract

__all__ = ["NUMERIC_IDS", "PathVariant", "malformed_paths", "malformed_queries", "path_variants", "route_spellings"]

_ESCAPES = (
    ("a malformed escape", "%ZZ"),
    ("a lone percent sign", "%"),
    ("a truncated escape", "%4"),
    ("a byte that is not UTF-8", "%FF"),
    ("a truncated UTF-8 sequence", "%E2%82"),
    ("an encoded UTF-16 surrogate", "%ED%A0%80"),
    ("an overlong encoding of '/'", "%C0%AF"),
)


@dataclass(frozen=True)
class PathVariant:
    label: str
    path: str  # as sent: already percent-encoded
    reads: str | None  # whose usage it may return: "own", or None (must be refused)


def _enc(org: str) -> str:
    return quote(org, safe="")


def path_variants(contract: Contract, own: str, other: str | None) -> list[PathVariant]:
    """Loose spellings of the configured ids; none may return another organization's usage."""
    if len(contract.path_params) != 1:
        return []
    param = contract.path_params[0]

    def at(segment: str) -> str:
        return contract.raw_path({param: segment})

    mine = _enc(own)
    found = [
        PathVariant("own id, trailing slash", at(mine) + "/", "own"),
        PathVariant("own id followed by a slash", at(mine + "/"), "own"),
        PathVariant("own id after a double slash", at("/" + mine), "own"),
        PathVariant("own id with surrounding spaces", at("%20" + mine + "%20"), "own"),
        PathVariant("own id, encoded slash and dot segment", at(mine + "%2F."), "own"),
    ]
    for label, changed in (("upper case", own.upper()), ("lower case", own.lower()), ("swapped case", own.swapcase())):
        if changed != own:
            found.append(PathVariant(f"own id in {label}", at(_enc(changed)), "own"))
    if other:
        theirs = _enc(other)
        for label, changed in (("upper case", other.upper()), ("swapped case", other.swapcase())):
            if changed != other:
                found.append(PathVariant(f"other organization's id in {label}", at(_enc(changed)), None))
        found += [
            PathVariant("other organization's id with surrounding spaces", at("%20" + theirs + "%20"), None),
            PathVariant("other organization's id after a double slash", at("/" + theirs), None),
            PathVariant("own id, then /../ to the other", at(f"{mine}/../{theirs}"), None),
            PathVariant("own id, then %2F..%2F to the other", at(f"{mine}%2F..%2F{theirs}"), None),
            PathVariant("own id, then %2f..%2f to the other", at(f"{mine}%2f..%2f{theirs}"), None),
            PathVariant("own id, then %2F%2E%2E%2F to the other", at(f"{mine}%2F%2E%2E%2F{theirs}"), None),
            PathVariant("own id, then /%2E%2E/ to the other", at(f"{mine}/%2E%2E/{theirs}"), None),
            PathVariant("own id, then %5C..%5C to the other", at(f"{mine}%5C..%5C{theirs}"), None),
            PathVariant("own id, then ;/../ to the other", at(f"{mine};/../{theirs}"), None),
            # Matched with SQL LIKE, decoded twice, or normalised (NFKC) after the access check.
            PathVariant("the other id with '_' for its last character", at(_enc(other[:-1] + "_")), None),
            PathVariant("the other id's first character and '%'", at(_enc(other[:1] + "%")), None),
            PathVariant("the other id with its first character encoded twice", at(_twice_encoded(other)), None),
            PathVariant("the other id in full-width characters", at(_enc(_full_width(other))), None),
        ]
    return found


def _twice_encoded(org: str) -> str:
    """``org`` with its first character percent-encoded twice (``o`` is ``%256F``)."""
    return "".join(f"%25{b:02X}" for b in org[:1].encode()) + _enc(org[1:])


def _full_width(org: str) -> str:
    """``org`` with each printable ASCII character as its full-width form (NFKC folds them back)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in org)


def route_spellings(contract: Contract, org: str) -> list[tuple[str, str]]:
    """(label, path as sent) for other spellings of the operation's route: none may skip the checks the route makes."""
    parts = contract.raw_path({name: _enc(org) for name in contract.path_params}).split("/")
    fixed = {i for i, part in enumerate(contract.path.split("/")) if part and "{" not in part}

    def changed(how: Callable[[str], str]) -> str:
        return "/".join(how(part) if i in fixed else part for i, part in enumerate(parts))

    path = "/".join(parts)
    found = [
        ("a trailing slash", path + "/"),
        ("a double slash in front", "/" + path),
        ("its fixed segments in upper case", changed(str.upper)),
        ("a letter of each fixed segment percent-encoded", changed(lambda part: f"%{ord(part[0]):02X}{part[1:]}")),
    ]
    return [(label, spelled) for label, spelled in found if spelled != path]


# Ids an implementation may read as a number (a database key, an integer column): each
# overflows a common width or is a number in another spelling. None may crash the target.
NUMERIC_IDS = (
    ("0", "zero"),
    ("-1", "a negative number"),
    ("2147483648", "past a signed 32-bit integer"),
    ("4294967296", "past an unsigned 32-bit integer"),
    ("9223372036854775808", "past a signed 64-bit integer"),
    ("18446744073709551616", "past an unsigned 64-bit integer"),
    ("9" * 40, "forty digits"),
    ("1e400", "a number past a double"),
    ("0x10", "a hexadecimal number"),
)


def malformed_paths(contract: Contract, own: str) -> list[tuple[str, str]]:
    """(label, path) with a malformed escape appended to the organization id."""
    if len(contract.path_params) != 1:
        return []
    param = contract.path_params[0]
    return [(f"id with {label}", contract.raw_path({param: _enc(own) + escape})) for label, escape in _ESCAPES]


def malformed_queries(query: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """(label, raw query) with a malformed escape in the first value, then in the first name."""
    if not query:
        return []
    name, value = query[0]
    rest = "".join(f"&{_enc(n)}={_enc(v)}" for n, v in query[1:])
    found = [(f"{name} with {label}", f"{_enc(name)}={_enc(value)}{escape}{rest}") for label, escape in _ESCAPES]
    found.append((f"{name}'s name with a malformed escape", f"{_enc(name)}%ZZ={_enc(value)}{rest}"))
    return found
