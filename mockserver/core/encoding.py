"""Bodies and header values as they go on the wire, per media type.

JSON as compact UTF-8 JSON; text as the text itself (other values as their JSON text);
binary as bytes (a string example's UTF-8 bytes); XML as an example's text, or built from
the data and the schema's ``xml`` hints (``name``, ``attribute``, ``wrapped``, ``namespace``,
``prefix``); forms URL-encoded; multipart as ``form-data`` parts. Header values in the
``simple`` style OpenAPI gives headers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from typing import Any
from urllib.parse import urlencode

__all__ = ["MULTIPART_BOUNDARY", "content_type_header", "encode_body", "header_text", "to_xml"]

MULTIPART_BOUNDARY = "mockserver-boundary"
# One encoder for every body: json.dumps with options makes a new one per call, and
# JSONEncoder.encode a new C encoder per call; this is json.dumps(value, ensure_ascii=False,
# separators=(",", ":")) without either (no cycle check: bodies come from YAML or JSON
# documents without aliases, and generated data is bounded in depth).
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_MAKE_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)  # None without the C accelerator
_C_ENCODER = (
    _MAKE_C_ENCODER(None, _JSON.default, json.encoder.encode_basestring, None, ":", ",", False, False, True)
    if _MAKE_C_ENCODER is not None
    else None
)


def _json_text(value: Any) -> str:
    if _C_ENCODER is None or isinstance(value, str | int | float | bool) or value is None:
        return _JSON.encode(value)
    return "".join(_C_ENCODER(value, 0))


_CONCRETE = {"text": "text/plain", "image": "image/png", "application": "application/octet-stream"}


def encode_body(value: Any, kind: str, schema: Any = None) -> bytes:
    """The bytes of a body of media ``kind`` (see :func:`usage_contract_kit.media.media_kind`)."""
    if isinstance(value, bytes):
        return value
    if kind == "xml" and not isinstance(value, str):
        return to_xml(value, schema).encode()
    if kind == "form" and isinstance(value, Mapping):
        return urlencode({k: _text(v) for k, v in value.items()}).encode()
    if kind == "multipart" and isinstance(value, Mapping):
        return _multipart(value)
    if kind != "json" and isinstance(value, str):
        return value.encode()
    return _json_text(value).encode()


def content_type_header(content_type: str, kind: str) -> str:
    """The Content-Type sent for a documented media type (a concrete one for ``*/*``)."""
    if content_type.strip() in ("*/*", "*"):
        return "application/json"
    main, _, sub = content_type.partition(";")[0].strip().partition("/")
    if sub == "*":  # a documented range: a concrete type of it
        return _CONCRETE.get(main.lower(), f"{main}/octet-stream")
    if kind == "multipart" and "boundary=" not in content_type:
        return f"{content_type}; boundary={MULTIPART_BOUNDARY}"
    if (kind == "text" or kind == "xml") and "charset=" not in content_type.lower():
        return f"{content_type}; charset=utf-8"
    return content_type


def header_text(value: Any, *, explode: bool = False) -> str:
    """A header value in OpenAPI's ``simple`` style: ``a,b`` for arrays, ``k,v`` (``k=v`` exploded) for objects."""
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    if isinstance(value, Mapping):
        if explode:
            return ",".join(f"{k}={_text(v)}" for k, v in value.items())
        return ",".join(f"{k},{_text(v)}" for k, v in value.items())
    return _text(value)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _multipart(fields: Mapping[str, Any]) -> bytes:
    parts = []
    for name, value in fields.items():
        data = value if isinstance(value, bytes) else _text(value).encode()
        head = f'--{MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        parts.append(head + data + b"\r\n")
    return b"".join(parts) + f"--{MULTIPART_BOUNDARY}--\r\n".encode()


def to_xml(value: Any, schema: Any, name: str | None = None) -> str:
    """An XML document for ``value``, shaped by ``schema``'s ``xml`` hints."""
    hints = _hints(schema)
    tag = _tag(hints, name or (schema.get("title") if isinstance(schema, dict) else None) or "root")
    namespace = ""
    if hints.get("namespace"):
        namespace = (
            f" xmlns{':' + hints['prefix'] if hints.get('prefix') else ''}={_attribute(str(hints['namespace']))}"
        )
    if isinstance(value, list) and not hints.get("wrapped"):
        # A document has one root element: an array not wrapped would give none, or several.
        schema = (
            {**schema, "xml": {**hints, "wrapped": True}} if isinstance(schema, dict) else {"xml": {"wrapped": True}}
        )
    return '<?xml version="1.0" encoding="UTF-8"?>' + _element(value, schema, tag, namespace)


def _hints(schema: Any) -> dict[str, Any]:
    found = schema.get("xml") if isinstance(schema, dict) else None
    return found if isinstance(found, dict) else {}


def _tag(hints: Mapping[str, Any], default: str) -> str:
    name = str(hints.get("name") or default)
    return f"{hints['prefix']}:{name}" if hints.get("prefix") else name


def _element(value: Any, schema: Any, tag: str, extra: str = "") -> str:
    schema = schema if isinstance(schema, dict) else {}
    if isinstance(value, list):
        items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        item_tag = _tag(_hints(items), tag)
        inner = "".join(_element(item, items, item_tag) for item in value)
        return f"<{tag}{extra}>{inner}</{tag}>" if _hints(schema).get("wrapped") or extra else inner
    if isinstance(value, Mapping):
        properties = schema.get("properties") or {}
        attributes, children = [], []
        for key, item in value.items():
            sub = properties.get(key, {})
            hints = _hints(sub)
            if hints.get("attribute") and not isinstance(item, (dict, list)):
                attributes.append(f" {_tag(hints, key)}={_attribute(_text(item))}")
            else:
                children.append(_element(item, sub, _tag(hints, key)))
        return f"<{tag}{extra}{''.join(attributes)}>{''.join(children)}</{tag}>"
    return f"<{tag}{extra}>{escape(_text(value), quote=False)}</{tag}>"


def _attribute(text: str) -> str:
    # html.escape, not xml.sax.saxutils: the latter imports urllib.request (and email) at start-up.
    return f'"{escape(text, quote=True)}"'
