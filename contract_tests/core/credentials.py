"""Credential variants, derived from the configured key and the spec (pure).

* :func:`bad_key_variants`: keys that must not authenticate (a character more or less, an
  unknown key of the documented shape, another prefix, another case of the prefix);
* :func:`secret_case_variants`: the key with the case of its secret part changed;
* :func:`misplaced_credentials`: the valid key sent anywhere but the documented header (a
  query parameter, a cookie, ``Authorization``), which must not authenticate either.

The key's prefix is the literal start of the scheme's ``x-key-pattern``, never a constant
in code. Each variant says how a replay command writes it: as a shell expression over
``$CONTRACT_API_KEY``, so that a command never holds the key itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from contract_tests.core.settings import ENV

__all__ = [
    "COOKIE_NAMES",
    "KEY_HEADER_NAMES",
    "QUERY_NAMES",
    "TRUST_HEADERS",
    "KeyVariant",
    "Misplaced",
    "bad_key_variants",
    "misplaced_credentials",
    "secret_case_variants",
    "unknown_key",
]

# Where clients commonly put a key when an API lets them: none of them is the documented place.
# ``apikey`` is the default of Kong's and APISIX's key-auth, which read it from the query too.
QUERY_NAMES = ("apiKey", "apikey", "api_key", "key", "token")
COOKIE_NAMES = ("apiKey", "api_key", "token", "session")
KEY_HEADER_NAMES = ("apikey", "api-key", "X-API-Key", "X-Api-Token", "X-Auth-Token", "X-Access-Token")
# Headers a proxy or a load balancer sets, which an API must not take as proof of who calls.
TRUST_HEADERS = (
    ("X-Forwarded-For", "127.0.0.1"),
    ("X-Real-IP", "127.0.0.1"),
    ("X-Internal-Request", "true"),
    ("X-Forwarded-Host", "localhost"),
)


@dataclass(frozen=True)
class KeyVariant:
    id: str
    value: str
    shown: str  # shell expression for replay commands

    def __repr__(self) -> str:  # the value is derived from a secret
        return f"KeyVariant({self.id!r})"


def _split(key: str, prefix: str) -> tuple[str, str]:
    return (prefix, key[len(prefix) :]) if prefix and key.startswith(prefix) else ("", key)


def unknown_key(key: str, prefix: str) -> str:
    """A key of the documented shape that nobody issued."""
    head, rest = _split(key, prefix)
    return head + ("Z9" * len(rest))[: len(rest)]


def bad_key_variants(key: str, prefix: str) -> list[KeyVariant]:
    """Keys that must be refused with 401, derived from the valid one."""
    var = ENV["api_key"]
    head, rest = _split(key, prefix)
    variants = [
        KeyVariant("empty key", "", ""),
        KeyVariant("valid key plus a character", key + "0", f"${{{var}}}0"),
        KeyVariant("valid key minus a character", key[:-1], f"${{{var}%?}}"),
        KeyVariant("non-ASCII character", key[:-1] + "é", f"${{{var}%?}}é"),
        KeyVariant("unknown well-formed key", unknown_key(key, prefix), unknown_key(key, prefix)),
        # The valid key behind an authorization scheme: the header carries the key alone.
        KeyVariant("valid key after 'Bearer '", f"Bearer {key}", f"Bearer ${{{var}}}"),
        KeyVariant("valid key after 'Token '", f"Token {key}", f"Token ${{{var}}}"),
        # SQL LIKE wildcards: a key looked up with LIKE matches them.
        KeyVariant("valid key with '_' for its last character", key[:-1] + "_", f"${{{var}%?}}_"),
        KeyVariant("the prefix and '%'", f"{head}%", f"{head}%"),
    ]
    if head:
        wrong = head.replace("live", "test") if "live" in head else _other_letter(head) + head[1:]
        variants += [
            KeyVariant("wrong prefix", wrong + rest, f"{wrong}${{{var}#{head}}}"),
            KeyVariant("wrong case of the prefix", head.upper() + rest, f"{head.upper()}${{{var}#{head}}}"),
        ]
    else:
        variants.append(KeyVariant("wrong case", key.swapcase(), f'$(printf %s "${var}" | tr a-zA-Z A-Za-z)'))
    return [v for v in variants if v.value != key]


def _other_letter(text: str) -> str:
    first = text[:1]
    return "x" if first != "x" else "y"


def secret_case_variants(key: str, prefix: str) -> list[KeyVariant]:
    """The key with the case of its secret part changed: every one must be refused."""
    var = ENV["api_key"]
    head, rest = _split(key, prefix)
    secret = f'"${{{var}#{head}}}"' if head else f'"${var}"'
    changes = [
        ("secret part in swapped case", rest.swapcase(), "a-zA-Z A-Za-z"),
        ("secret part in upper case", rest.upper(), "a-z A-Z"),
        ("secret part in lower case", rest.lower(), "A-Z a-z"),
    ]
    return [
        KeyVariant(label, head + value, f"{head}$(printf %s {secret} | tr {sets})")
        for label, value, sets in changes
        if value != rest
    ]


@dataclass(frozen=True)
class Misplaced:
    """The key sent somewhere other than the documented header (which is left out)."""

    id: str
    query: tuple[tuple[str, str], ...] = ()
    headers: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Misplaced({self.id!r})"


def misplaced_credentials(key: str, key_header: str | None) -> list[Misplaced]:
    """The valid key in a query parameter, a cookie, or ``Authorization``: each must get 401.

    The query names include the header's own (as documented and in lower case): a gateway
    told to read the key under that name reads it from the query as well by default.
    """
    names = dict.fromkeys([*QUERY_NAMES, *([key_header, key_header.lower()] if key_header else [])])
    variants = [Misplaced(f"query parameter {name}", query=((name, key),)) for name in names]
    cookie_names = [*COOKIE_NAMES, *([key_header] if key_header else [])]
    variants.append(Misplaced("cookie", headers={"Cookie": "; ".join(f"{n}={key}" for n in cookie_names)}))
    variants.append(Misplaced("Authorization: Bearer", headers={"Authorization": f"Bearer {key}"}))
    variants.append(Misplaced("Authorization without a scheme", headers={"Authorization": key}))
    documented = (key_header or "").lower()
    for name in KEY_HEADER_NAMES:  # the names gateways and frameworks read a key from by default
        if name.lower() != documented:
            variants.append(Misplaced(f"header {name}", headers={name: key}))
    return variants
