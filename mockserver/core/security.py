"""Find the credentials a request carries for an operation's security requirements.

OpenAPI security is a list of requirements, any one of which suffices, each naming
schemes that must all be present. :func:`find_credentials` returns the credentials of the
first requirement the request satisfies, ``()`` for an operation open to anyone, or
``None`` when the request carries none that fit. Whether a present credential is *good*
is the business of the mode (example mode accepts any; data mode looks it up).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from usage_contract_kit.model import Operation, SecurityScheme, Spec

__all__ = [
    "CHALLENGE_HEADER",
    "Credential",
    "challenge",
    "environ_key",
    "find_credentials",
    "header_keys",
    "name_of",
    "redact",
    "secret_environ",
    "secret_names",
]


CHALLENGE_HEADER = "WWW-Authenticate"  # a 401's challenge (RFC 9110 section 11.6.1)


class Credential(NamedTuple):  # made per request: a tuple costs a fraction of a frozen dataclass
    scheme: SecurityScheme
    value: str

    @property
    def well_formed(self) -> bool:
        """Whether the value has the shape the scheme documents (``x-key-pattern``)."""
        pattern = self.scheme.key_pattern
        return pattern is None or pattern.fullmatch(self.value) is not None

    @property
    def plausible(self) -> bool:
        """Whether the value starts like the documented shape (``idt_live_`` here).

        Example mode accepts any plausible key, so that a developer can type one by hand,
        while a value that is plainly not a key of this API is refused with 401.
        """
        return self.value.startswith(self.scheme.key_prefix)


def _credential(
    scheme: SecurityScheme,
    headers: Mapping[str, str],
    query: Mapping[str, Sequence[str]],
    cookies: Mapping[str, str],
) -> str | None:
    if scheme.type == "apiKey":
        if scheme.location == "header":
            value = headers.get(scheme.parameter.lower())
        elif scheme.location == "query":
            found = query.get(scheme.parameter)
            value = found[0] if found else None
        else:
            value = cookies.get(scheme.parameter)
        return value.strip() or None if value is not None else None
    authorization = headers.get("authorization", "")
    kind, _, token = authorization.partition(" ")
    if kind.lower() == scheme.http_scheme and token.strip():
        return token.strip()
    return None


def find_credentials(
    operation: Operation,
    *,
    headers: Mapping[str, str],
    query: Mapping[str, Sequence[str]],
    cookies: Mapping[str, str],
) -> tuple[Credential, ...] | None:
    """Credentials for the first satisfied requirement; ``headers`` keyed by lower-case name."""
    if not operation.security:
        return ()
    for requirement in operation.security:
        found = []
        for scheme in requirement:
            value = _credential(scheme, headers, query, cookies)
            if value is None:
                break
            found.append(Credential(scheme, value))
        else:
            return tuple(found)
    return None


def challenge(operation: Operation, realm: str) -> str | None:
    """The ``WWW-Authenticate`` value a 401 of ``operation`` carries, or ``None`` when it has none to carry.

    One challenge per HTTP scheme the operation accepts, in the order of its requirements
    (RFC 9110 section 11.6.1), each with ``realm`` (the API's title): ``Bearer realm="..."``
    for bearer tokens, OAuth 2 and OpenID Connect included (RFC 6750 section 3), ``Basic
    realm="..."`` (RFC 7617), the scheme's own name for another one. An API key has no
    standard challenge: an operation that takes only keys gets ``None``.
    """
    quoted = _quoted(realm)
    found: list[str] = []
    for requirement in operation.security:
        for scheme in requirement:
            if scheme.type != "apiKey":
                text = f"{scheme.http_scheme.capitalize()} realm={quoted}"
                if text not in found:
                    found.append(text)
    return ", ".join(found) or None


def _quoted(text: str) -> str:
    """``text`` as an HTTP quoted-string: printable ASCII, ``"`` and ``\\`` escaped, anything else ``?``."""
    kept = "".join(c if " " <= c <= "~" else "?" for c in text)
    return '"' + kept.replace("\\", "\\\\").replace('"', '\\"') + '"'


def redact(secret: str) -> str:
    """Show only a secret's non-secret prefix: ``idt_live_0123...`` becomes ``idt_live_***``."""
    prefix, underscore, rest = secret.rpartition("_")
    if underscore and len(prefix) + 1 <= 16 and len(rest) >= 8:
        return f"{prefix}_***"
    return f"{secret[:4]}***" if len(secret) >= 16 else "***"


def secret_names(schemes: Sequence[SecurityScheme]) -> dict[str, set[str]]:
    """Which header / query / cookie names carry secrets, by location (for redaction)."""
    names: dict[str, set[str]] = {"header": {"authorization"}, "query": set(), "cookie": set()}
    for scheme in schemes:
        key = scheme.parameter.lower() if scheme.location == "header" else scheme.parameter
        names[scheme.location].add(key)
    return names


def environ_key(name: str) -> str:
    """The key WSGI (CGI) gives a request header: ``api_key`` and ``Api-Key`` both become ``HTTP_API_KEY``."""
    return "HTTP_" + name.upper().replace("-", "_")


def header_keys(spec: Spec) -> dict[str, str]:
    """WSGI environ key -> the name the spec gives a request header (lower case), where they differ.

    HTTP compares header names case-insensitively and tells ``api_key`` from ``api-key``; WSGI
    cannot: both arrive as ``HTTP_API_KEY``. The shell reads such a key as the name the spec
    documents, so a header named with an underscore (``api_key``) is found; the first name the
    spec documents wins if it documents two that WSGI merges.
    """
    names: list[str] = []
    for scheme in spec.security_schemes.values():
        if scheme.type == "apiKey" and scheme.location == "header":
            names.append(scheme.parameter)
    for operation in spec.operations:
        names.extend(p.name for p in operation.parameters if p.location == "header")
    keys: dict[str, str] = {}
    for name in names:
        lowered = name.lower()
        if lowered != lowered.replace("_", "-"):
            keys.setdefault(environ_key(name), lowered)
    return keys


def name_of(key: str, keys: Mapping[str, str]) -> str:
    """The lower-case name the shell reads the header under WSGI environ key ``key`` by (``keys``: :func:`header_keys`)."""
    return keys.get(key) or key[5:].replace("_", "-").lower()


def secret_environ(names: Iterable[str], keys: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """(name, WSGI environ key) of each secret header the shell reads under that name (see :func:`header_keys`)."""
    found = []
    for name in sorted(names):
        key = environ_key(name)
        if name_of(key, keys) == name:
            found.append((name, key))
    return tuple(found)
