"""Requests built from an operation, and an independent check that an answer keeps the spec.

For the documents under ``tests/specs``: :func:`valid_call` builds a request that follows
the contract (credentials, parameters, body); :func:`invalid_calls` derives requests that
break it in one place each; :func:`answer_problems` says what in an answer does not keep
the spec (undocumented status, a media type not documented, a body or a header that does
not validate, a 5xx).
"""

from __future__ import annotations

import base64
import json
import random
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode
from xml.dom import minidom

from mockserver.core.generation import Generator
from mockserver.core.styles import write_styled
from usage_contract_kit.media import essence, matches, media_kind
from usage_contract_kit.model import Header, MediaType, Operation, Parameter, Spec

BOUNDARY = "fidelity-boundary"


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    cookies: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    content_type: str | None = None

    def url(self) -> str:
        return self.path + ("?" + urlencode(self.query) if self.query else "")

    def all_headers(self, **extra: str) -> dict[str, str]:
        headers = {**self.headers, **extra}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.content_type is not None:
            headers["Content-Type"] = self.content_type
        return headers


def valid_call(spec: Spec, operation: Operation) -> Call:
    """A request that keeps the contract: every parameter (valid), credentials, a documented body."""
    generator = Generator(spec.recursive, hidden="readOnly")  # a request leaves out what the server makes
    path, query, headers, cookies = operation.path, [], {}, {}
    for param in operation.parameters:
        value = _valid_value(generator, param)
        if param.location == "path":
            path = path.replace("{" + param.name + "}", _styled(param, value))
        elif param.location == "query":
            query.extend(_query_pairs(param, value))
        elif param.location == "header":
            headers[param.name] = _styled(param, value)
        else:
            cookies[param.name] = _simple(value)
    for scheme in operation.security[0] if operation.security else ():
        if scheme.type == "apiKey" and scheme.location == "query":
            query.append((scheme.parameter, "key-for-tests"))
        elif scheme.type == "apiKey" and scheme.location == "cookie":
            cookies[scheme.parameter] = "key-for-tests"
        elif scheme.type == "apiKey":
            headers[scheme.parameter] = "key-for-tests"
        elif scheme.http_scheme == "basic":
            headers["Authorization"] = "Basic " + base64.b64encode(b"user:secret").decode()
        else:
            headers["Authorization"] = "Bearer token-for-tests"
    call = Call(operation.method, path, tuple(query), headers, cookies)
    if operation.request_body is not None and operation.request_body.contents:
        media = operation.request_body.contents[0]
        call = replace(call, body=_encode(media, _valid_body(generator, media)), content_type=_content_type(media))
    return call


def _valid_value(generator: Generator, param: Parameter) -> Any:
    for seed in range(20):
        value = generator.generate(param.schema, random.Random(seed), static=seed == 0)
        if param.validator.is_valid(value) and _simple(value) != "":
            return value
    raise AssertionError(f"no valid value for {param.pointer}")


def _valid_body(generator: Generator, media: MediaType) -> Any:
    if media.default_example is not None:
        return media.default_example.value
    if media.kind == "binary":
        return b"\x89PNG\r\n\x1a\n" + bytes(range(24))
    return generator.produce(media.schema, media.validator, 0, static=True)


def _simple(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_simple(v) for v in value)
    return str(value)


def _styled(param: Parameter, value: Any) -> str:
    """A value as its parameter's style writes it (label ``.3,4``, matrix ``;id=3,4`` ...)."""
    return write_styled(value, style=param.style, explode=param.explode, name=param.name)


def _query_pairs(param: Parameter, value: Any) -> list[tuple[str, str]]:
    if isinstance(value, list) and param.explode:
        return [(param.name, _simple(v)) for v in value]
    if isinstance(value, dict) and not param.explode:
        return [(param.name, _styled(param, value))]
    return [(param.name, _simple(value))]


def _content_type(media: MediaType) -> str:
    if media.kind == "multipart":
        return f"{media.content_type}; boundary={BOUNDARY}"
    if "*" in media.content_type:
        return media.content_type.replace("*", "png")
    return media.content_type


def _encode(media: MediaType, value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if media.kind == "form":
        return urlencode(
            [(k, _simple(v)) for k, vs in value.items() for v in (vs if isinstance(vs, list) else [vs])]
        ).encode()
    if media.kind == "multipart":
        return _multipart(value, media)
    if media.kind in ("text", "xml") and isinstance(value, str):
        return value.encode()
    return json.dumps(value).encode()


def _multipart(fields: Mapping[str, Any], media: MediaType) -> bytes:
    properties = (media.schema or {}).get("properties", {})
    parts = []
    for name, value in fields.items():
        binary = properties.get(name, {}).get("format") == "binary"
        disposition = f'form-data; name="{name}"' + (f'; filename="{name}.bin"' if binary else "")
        for item in value if isinstance(value, list) else [value]:
            parts.append(f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n{_simple(item)}\r\n")
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


def invalid_calls(operation: Operation, valid: Call) -> Iterator[tuple[str, Call, bool]]:
    """``(what is wrong, request, whether it is a wrong media type)``, one fault each."""
    for param in operation.parameters:
        for label, raw in _invalid_raw(param):
            yield f"{param.location} {param.name} {label}", _with_param(valid, param, raw), False
    body = operation.request_body
    if body is None or not body.contents:
        return
    if body.required:
        yield "no body", replace(valid, body=None, content_type=None), False
    yield "undocumented media type", replace(valid, content_type="application/x-undocumented"), True
    media = body.contents[0]
    schema = media.schema if isinstance(media.schema, dict) else {}
    if media.kind == "json":
        yield "JSON cut short", replace(valid, body=b'{"a": '), False
        yield "JSON NaN", replace(valid, body=b"NaN"), False
        if schema.get("required"):
            yield "JSON missing required properties", replace(valid, body=b"{}"), False
    if media.kind == "form" and schema.get("required"):
        yield "form missing required fields", replace(valid, body=b"unknown=1"), False
    if media.kind == "multipart" and schema.get("required"):
        yield "multipart missing required fields", replace(valid, body=_multipart({"unknown": "1"}, media)), False
    numbers = [n for n, sub in (schema.get("properties") or {}).items() if sub.get("type") in ("integer", "number")]
    if numbers and media.kind == "json":
        fields = json.loads(valid.body or b"{}")
        yield (
            f"JSON {numbers[0]} not a number",
            replace(valid, body=json.dumps({**fields, numbers[0]: "many"}).encode()),
            False,
        )
    if numbers and media.kind == "form":
        pairs = [(k, v) for k, v in parse_qsl((valid.body or b"").decode()) if k != numbers[0]]
        encoded = urlencode([*pairs, (numbers[0], "many")]).encode()
        yield f"form {numbers[0]} not a number", replace(valid, body=encoded), False


def _invalid_raw(param: Parameter) -> Iterator[tuple[str, str | None]]:
    schema = param.schema
    if param.required and param.location != "path":
        yield "missing", None
    kind = schema.get("type")
    if kind in ("integer", "number"):
        yield "not a number", "not-a-number"
    elif kind == "boolean":
        yield "not a boolean", "perhaps"
    elif kind == "array":
        items = schema.get("items", {})
        if items.get("enum"):
            yield "item not in enum", "bogus-item"
    elif kind == "string":
        if schema.get("enum"):
            yield "not in enum", "bogus-value"
        if isinstance(schema.get("pattern"), str):
            bad = next(c for c in ("!!", "~", "0", "Zz-9", "a") if not re.search(schema["pattern"], c))
            yield "breaks its pattern", bad
        if schema.get("format") in ("uuid", "date", "date-time", "email"):
            yield f"not a {schema['format']}", "not-a-" + schema["format"]
        if "maxLength" in schema:
            yield "too long", "x" * (int(schema["maxLength"]) + 1)


def _with_param(call: Call, param: Parameter, raw: str | None) -> Call:
    if param.location == "query":
        kept = tuple((k, v) for k, v in call.query if k != param.name)
        return replace(call, query=kept if raw is None else (*kept, (param.name, raw)))
    if param.location == "path":
        # In the parameter's style (".x", ";id=x"), so that the value itself is what is wrong.
        styled = _styled(param, raw or "") if param.style in ("label", "matrix") else raw or ""
        return replace(call, path=_replace_segment(call.path, param, styled))
    if param.location == "header":
        headers = {k: v for k, v in call.headers.items() if k != param.name}
        return replace(call, headers=headers if raw is None else {**headers, param.name: raw})
    cookies = {k: v for k, v in call.cookies.items() if k != param.name}
    return replace(call, cookies=cookies if raw is None else {**cookies, param.name: raw})


def _replace_segment(path: str, param: Parameter, raw: str) -> str:
    # The valid call's path came from the template; put the bad value where the parameter stands.
    template = param.pointer.split("/")[2].replace("~1", "/").replace("~0", "~")
    template_parts, parts = template.split("/"), path.split("/")
    return "/".join(raw if t == "{" + param.name + "}" else p for t, p in zip(template_parts, parts, strict=True))


def answer_problems(
    operation: Operation, status: int, headers: Mapping[str, str], content_type: str | None, body: bytes
) -> list[str]:
    """What in this answer breaks the spec (empty: it keeps it)."""
    if status >= 500:
        return [f"answered {status}: {body[:200]!r}"]
    documented = operation.response(status)
    if documented is None:
        return [f"status {status} is not documented ({', '.join(operation.responses)})"]
    problems = [p for h in documented.documented_headers for p in _header_problems(h, headers)]
    if not documented.contents:
        return problems + ([f"{status} documents no body, got {body[:80]!r}"] if body else [])
    media = next((m for m in documented.contents if content_type and matches(m.content_type, content_type)), None)
    if media is None:
        return [*problems, f"Content-Type {content_type!r} is not documented for {status}"]
    return problems + _body_problems(media, content_type or "", body)


def _body_problems(media: MediaType, content_type: str, body: bytes) -> list[str]:
    kind = media_kind(essence(content_type))
    if kind == "json":
        try:
            value = json.loads(body)
        except ValueError as exc:
            return [f"not JSON ({exc}): {body[:80]!r}"]
        problem = media.validator.first_error(value) if media.validator else None
        return [f"body breaks its schema at {problem[0]}: {problem[1]}"] if problem else []
    if kind == "xml":
        try:
            minidom.parseString(body)  # noqa: S318 - the mock's own answer, in a test
        except Exception as exc:
            return [f"not well-formed XML ({exc})"]
        return []
    if kind == "text":
        text = body.decode("utf-8")
        if media.validator is not None and (media.schema or {}).get("type") == "string":
            problem = media.validator.first_error(text)
            return [f"text breaks its schema: {problem[1]}"] if problem else []
        return []
    schema = media.schema if isinstance(media.schema, dict) else {}
    if not body or len(body) < int(schema.get("minLength", 0)) or len(body) > int(schema.get("maxLength", 1 << 30)):
        return [f"{len(body)} bytes, outside the schema's lengths"]
    return []


def _header_problems(header: Header, headers: Mapping[str, str]) -> list[str]:
    found = next((v for k, v in headers.items() if k.lower() == header.name.lower()), None)
    if found is None:
        return [f"required header {header.name} is missing"] if header.required else []
    value = _parse_header(found, header.schema)
    problem = header.validator.first_error(value)
    return [f"header {header.name}: {found!r} breaks its schema: {problem[1]}"] if problem else []


def _parse_header(text: str, schema: Mapping[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "array":
        return [_parse_header(part, schema.get("items", {})) for part in text.split(",")]
    if kind == "integer" and re.fullmatch(r"-?[0-9]+", text):
        return int(text)
    if kind == "number" and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?", text):
        return float(text)
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    return text
