"""Read an OpenAPI document into a frozen :class:`~usage_contract_kit.model.Spec`.

The one reader of the contract, used by the mock and by the contract suite alike.
``load_spec`` reads the file once (safely, see :mod:`usage_contract_kit.documents`),
inlines every local ``$ref`` (within a bound; refs of recursive schemas are kept, see
:mod:`usage_contract_kit.refs`), validates the document with openapi-spec-validator, reads
its operations (:mod:`usage_contract_kit.reading`: every schema compiled once, every example
checked against its own schema) and the kit's extensions (``x-cross-parameter-rules``,
``x-key-pattern``). Every user mistake is raised as :class:`SpecError`, naming the file and a
JSON pointer into it; a lenient reading turns the faults that do not stop serving into
warnings instead.

Pure: it reads the file it is given and nothing else. A caller that wants to skip
openapi-spec-validator for a document it already passed (its import alone costs about
0.3 s) hands in a :class:`ValidityMemo` (see :mod:`usage_contract_kit.verdicts`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from usage_contract_kit.documents import MEGABYTE, read_document
from usage_contract_kit.errors import Faults, SpecError, pointer
from usage_contract_kit.model import SecurityScheme, Spec
from usage_contract_kit.pointers import outside_the_file
from usage_contract_kit.reading import KNOWN_RULES, OperationReader
from usage_contract_kit.refs import MAX_NODES, resolve_refs

__all__ = [
    "KNOWN_RULES",
    "MAX_NODES",
    "MAX_SPEC_BYTES",
    "ValidityMemo",
    "document_problems",
    "load_spec",
    "parse_document",
    "validate_document",
]

MAX_SPEC_BYTES = 20 * MEGABYTE


class ValidityMemo(Protocol):
    """Remembers which document texts (by SHA-256) passed openapi-spec-validator."""

    def known_valid(self, digest: str) -> bool: ...

    def remember_valid(self, digest: str) -> None: ...


def load_spec(
    path: str | Path,
    *,
    source: str | None = None,
    max_bytes: int = MAX_SPEC_BYTES,
    limit_name: str = "MOCK_MAX_SPEC_MB",
    memo: ValidityMemo | None = None,
    lenient: bool = False,
    max_nodes: int = MAX_NODES,
    nodes_limit_name: str = "MOCK_MAX_SPEC_NODES",
) -> Spec:
    """Read, resolve and check an OpenAPI 3.0/3.1 file; raise :class:`SpecError` if unusable.

    ``source`` names the file in messages (default: ``path``); ``max_bytes`` caps its size,
    and ``limit_name`` is the setting that raises the cap; ``max_nodes`` caps the nodes the
    document inlines to (``nodes_limit_name`` raises it). ``lenient`` lets faults that do
    not stop serving through as :attr:`Spec.warnings` (see :func:`parse_document`).
    """
    name = str(path) if source is None else source
    document = read_document(path, source=name, max_bytes=max_bytes, limit_name=limit_name, error=SpecError)
    return parse_document(
        document.value,
        source=name,
        digest=document.digest,
        memo=memo,
        lenient=lenient,
        max_nodes=max_nodes,
        nodes_limit_name=nodes_limit_name,
    )


def parse_document(
    document: Any,
    *,
    source: str = "<spec>",
    digest: str | None = None,
    memo: ValidityMemo | None = None,
    lenient: bool = False,
    max_nodes: int = MAX_NODES,
    nodes_limit_name: str = "",
) -> Spec:
    """Build a :class:`Spec` from an already parsed document.

    With a ``memo`` and the ``digest`` of the file's bytes, a document that
    openapi-spec-validator passed before skips that validator; the kit's own checks (refs,
    schemas, examples, rules) always run. Strict by default: the first fault raises
    :class:`SpecError`. ``lenient`` turns each fault that does not stop serving (what
    openapi-spec-validator rejects, an example that breaks its schema, which is then left
    out) into one line of :attr:`Spec.warnings`; what cannot be read at all still raises.
    """
    if not isinstance(document, dict):
        raise SpecError(source, "", "the document must be a mapping with an 'openapi' key")
    version = _version(document, source)
    faults = Faults(source, lenient=lenient)
    if not _READ_VERSIONS.match(version):
        faults.report(
            "/openapi",
            f"OpenAPI {version} is not supported: this kit reads OpenAPI 3.0 and 3.1"
            " (--lenient reads it as 3.1, and what 3.1 does not have is not served)",
        )
    document = json_keys(document, source)
    resolved = resolve_refs(document, source=source, max_nodes=max_nodes, limit_name=nodes_limit_name)
    if memo is None or digest is None or not memo.known_valid(digest):
        if lenient:
            for location, problem in document_problems(document):
                faults.report(location, problem)
        else:
            validate_document(document, source)
        if memo is not None and digest is not None and not faults.warnings:
            memo.remember_valid(digest)
    schemes = _security_schemes(resolved.document, source)
    reader = OperationReader(source, version, faults, resolved.recursive)
    operations = tuple(reader.operations(resolved.document, schemes))
    return Spec(
        source=source,
        operations=operations,
        security_schemes=schemes,
        version=version,
        recursive=resolved.recursive,
        warnings=tuple(faults.warnings),
        title=_title(document),
    )


def _title(document: Mapping[str, Any]) -> str:
    info = document.get("info")
    title = info.get("title") if isinstance(info, dict) else None
    return title if isinstance(title, str) else ""


_READ_VERSIONS = re.compile(r"3\.[01](\.\d+)?(-.*)?\Z")


def _version(document: Mapping[str, Any], source: str) -> str:
    """The document's ``openapi`` version; a Swagger 2 document or one without a version says so."""
    if "openapi" not in document and "swagger" in document:
        raise SpecError(
            source,
            "/swagger",
            f"swagger: {str(document['swagger'])!r} is Swagger (OpenAPI 2), which is not supported: convert it to"
            " OpenAPI 3 first (the Swagger Editor's 'Convert to OpenAPI 3', or the swagger2openapi command)",
        )
    if "openapi" not in document:
        raise SpecError(source, "", "no 'openapi' field at the top: an OpenAPI 3.0 or 3.1 document is required")
    given = document["openapi"]
    if not isinstance(given, str):
        written = json.dumps(given) if isinstance(given, (int, float, bool)) or given is None else type(given).__name__
        raise SpecError(
            source, "/openapi", f"openapi: {written} is not a string: quote the version, as in openapi: '3.0.3'"
        )
    version = given
    if not version.startswith("3."):
        raise SpecError(source, "/openapi", f"OpenAPI 3.0 or 3.1 is required, found {version!r}")
    return version


def json_keys(node: Any, source: str, at: str = "") -> Any:
    """``node`` with every mapping key a string, as JSON writes one (``200`` -> ``"200"``, ``true`` -> ``"true"``).

    YAML reads an unquoted key as a number, a boolean or null (``200:``, the way many a spec
    writes its response codes); an OpenAPI document is JSON data, whose keys are strings. The
    same node is given back where nothing changes; a key written both ways is refused.
    """
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        changed = False
        for key, value in node.items():
            # A number, a boolean or null as JSON writes it as a key (``json.dumps({200: 0})`` is ``{"200": 0}``).
            text = key if isinstance(key, str) else json.dumps(key)
            new = json_keys(value, source, f"{at}{pointer(text)}") if isinstance(value, dict | list) else value
            if text in out:
                raise SpecError(source, f"{at}{pointer(text)}", f"the key {text!r} is written twice, quoted and not")
            out[text] = new
            changed = changed or text is not key or new is not value
        return out if changed else node
    if isinstance(node, list):
        items = [
            json_keys(value, source, f"{at}/{index}") if isinstance(value, dict | list) else value
            for index, value in enumerate(node)
        ]
        return items if any(a is not b for a, b in zip(items, node, strict=True)) else node
    return node


def validate_document(document: dict[str, Any], source: str) -> None:
    """Raise :class:`SpecError` (with the JSON pointer) unless openapi-spec-validator passes ``document``."""
    # Imported here: the validator is only needed while loading, and costs import time.
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    try:
        _validator(document).validate()
    except OpenAPIValidationError as exc:
        location = _placed(document, exc, {})
        raise SpecError(source, location, f"not a valid OpenAPI document: {_first_line(exc.message)}") from None
    except RecursionError:
        raise SpecError(source, "", f"not a valid OpenAPI document: {_LOOP}") from None
    except Exception as exc:
        raise SpecError(source, "", f"not a valid OpenAPI document: {_first_line(str(exc))}") from None


_LOOP = "its $refs lead too deep to check (a $ref that leads back to itself without a schema in between?)"


def _validator(document: dict[str, Any]) -> Any:
    """openapi-spec-validator's validator for ``document``, which reads no other file and fetches no URL.

    By default it follows a ``$ref`` to a URL (fetched with an HTTP request) or to another
    file; the kit reads local refs only, and the validator must not reach the network or
    the disk on a document's say-so. Its retriever falls back to an HTTP request, or urllib,
    for a scheme it has no handler for: every scheme gets :func:`_not_read`.
    """
    from jsonschema_path import SchemaPath
    from openapi_spec_validator.settings import OpenAPISpecValidatorSettings
    from openapi_spec_validator.shortcuts import get_validator_cls

    cache = OpenAPISpecValidatorSettings().resolved_cache_maxsize
    path = SchemaPath.from_dict(document, handlers=_NoRetrieval(), resolved_cache_maxsize=cache)
    return get_validator_cls(document)(path)


def _not_read(uri: str) -> Any:
    raise ValueError(outside_the_file(uri))


class _NoRetrieval(dict[str, Any]):
    """The validator's handlers by URI scheme: for every scheme, one that reads nothing."""

    def __contains__(self, scheme: object) -> bool:
        return True

    def __getitem__(self, scheme: str) -> Any:
        return _not_read


def document_problems(document: dict[str, Any]) -> list[tuple[str, str]]:
    """Every ``(JSON pointer, problem)`` openapi-spec-validator finds in ``document``."""
    try:
        validator = _validator(document)
        places: dict[int, tuple[str | int, ...]] = {}
        return [
            (_placed(document, error, places), f"not a valid OpenAPI document: {_first_line(error.message)}")
            for error in validator.iter_errors()
        ]
    except Exception as exc:
        return [("", f"not a valid OpenAPI document: {_first_line(str(exc))}")]


def _placed(document: Any, error: Any, places: dict[int, tuple[str | int, ...]]) -> str:
    """The JSON pointer of ``error``'s place in ``document``.

    openapi-spec-validator checks a 3.1 schema on its own, and gives its faults a path from
    that schema (``/required``, not ``/paths/~1people/get/.../schema/required``). Where the
    path leads nowhere in the document, the faulty mapping or list is found where it sits
    (``places``: every container's path by its id, made once per document).
    """
    path = tuple(error.absolute_path)
    instance = error.instance
    if isinstance(instance, dict | list) and not _leads(document, path):
        if not places:
            places.update(_containers(document))
        path = places.get(id(instance)) or path
    return pointer(*path)


def _leads(document: Any, path: tuple[str | int, ...]) -> bool:
    """Whether ``path`` leads somewhere in ``document`` (a status code may come as a number)."""
    node = document
    for step in path:
        if isinstance(node, dict):
            if step not in node and str(step) not in node:
                return False
            node = node[step] if step in node else node[str(step)]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            return False
    return True


def _containers(document: Any) -> dict[int, tuple[str | int, ...]]:
    """Every mapping and list of ``document`` by its id, with its path (one of its places, should one repeat)."""
    found: dict[int, tuple[str | int, ...]] = {}
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in found:
            continue
        found[id(node)] = path
        items = node.items() if isinstance(node, dict) else enumerate(node)
        stack.extend((value, (*path, key)) for key, value in items if isinstance(value, dict | list))
    return found


def _first_line(message: str) -> str:
    """The validator's message without the schema and instance it appends on further lines."""
    return message.strip().split("\n", 1)[0]


def _security_schemes(document: Mapping[str, Any], source: str) -> dict[str, SecurityScheme]:
    raw = (document.get("components") or {}).get("securitySchemes") or {}
    schemes: dict[str, SecurityScheme] = {}
    for name, scheme in raw.items():
        at = pointer("components", "securitySchemes", name)
        try:
            schemes[name] = _security_scheme(name, scheme, source, at)
        except (KeyError, TypeError, AttributeError) as exc:
            raise SpecError(source, at, f"cannot be read: {type(exc).__name__}: {exc}") from None
    return schemes


def _security_scheme(name: str, scheme: Mapping[str, Any], source: str, at: str) -> SecurityScheme:
    kind = scheme.get("type", "")
    pattern = scheme.get("x-key-pattern")
    try:
        compiled = re.compile(pattern) if isinstance(pattern, str) else None
    except re.error as exc:
        raise SpecError(source, f"{at}/x-key-pattern", f"not a regular expression: {exc}") from None
    if kind == "apiKey":
        return SecurityScheme(name, kind, scheme["in"], scheme["name"], "", compiled)
    if kind == "http":
        return SecurityScheme(name, kind, "header", "Authorization", str(scheme["scheme"]).lower(), compiled)
    # oauth2 and openIdConnect carry bearer tokens in the Authorization header.
    return SecurityScheme(name, kind, "header", "Authorization", "bearer", compiled)
