"""Parameter values in OpenAPI's styles: the text of a value read into its parts, and written.

A parameter's ``style`` and ``explode`` say how a primitive, an array or an object is
written into one place of a request (OpenAPI 3.0.3 and 3.1, "Style Examples"), here for
``id`` = ``5``, ``[3, 4, 5]`` and ``{"role": "admin", "firstName": "Alex"}``:

======= ======= ========= ================ =================================
style   explode primitive array            object
======= ======= ========= ================ =================================
simple  false   ``5``     ``3,4,5``        ``role,admin,firstName,Alex``
simple  true    ``5``     ``3,4,5``        ``role=admin,firstName=Alex``
label   false   ``.5``    ``.3,4,5``       ``.role,admin,firstName,Alex``
label   true    ``.5``    ``.3.4.5``       ``.role=admin.firstName=Alex``
matrix  false   ``;id=5`` ``;id=3,4,5``    ``;id=role,admin,firstName,Alex``
matrix  true    ``;id=5`` ``;id=3;id=4;id=5`` ``;role=admin;firstName=Alex``
form    false   ``5``     ``3,4,5``        ``role,admin,firstName,Alex``
======= ======= ========= ================ =================================

(``form`` is the value of a query parameter or cookie, its name and ``=`` left out; a
``form`` array with ``explode`` repeats the parameter, which the query's parsing gives as a
list, and an exploded ``form`` object spreads its properties over the query, which is not
read here.) :func:`read_styled` gives the raw parts, still text: a string, a list of them
or a dict of them; :func:`write_styled` writes a value so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["READ_STYLES", "StyleError", "read_styled", "write_styled"]

READ_STYLES = ("simple", "label", "matrix", "form")  # the styles whose objects read_styled reads


class StyleError(ValueError):
    """A value not written in its parameter's style."""


def read_styled(raw: str, *, style: str, explode: bool, name: str, shape: str) -> str | list[str] | dict[str, str]:
    """The parts of ``raw``, a ``shape`` (``primitive``, ``array`` or ``object``) written in ``style``."""
    if style == "label":
        if not raw.startswith("."):
            raise StyleError(f"{_show(raw)} is not in the label style: it starts with '.' ('.5', '.3,4,5')")
        text = raw[1:]
        if shape == "primitive":
            return text
        parts = _split(text, "." if explode else ",")
        return parts if shape == "array" else _pairs(parts, explode, raw)
    if style == "matrix":
        return _matrix(raw, explode=explode, name=name, shape=shape)
    if shape == "primitive":
        return raw
    parts = _split(raw, ",")
    return parts if shape == "array" else _pairs(parts, explode and style == "simple", raw)


def _matrix(raw: str, *, explode: bool, name: str, shape: str) -> str | list[str] | dict[str, str]:
    head = f";{name}"
    example = f"';{name}=5', ';{name}=3,4,5'" if not explode else f"';{name}=5', ';{name}=3;{name}=4'"
    if not raw.startswith(";"):
        raise StyleError(f"{_show(raw)} is not in the matrix style: it starts with ';' ({example})")
    if shape == "object" and explode:
        return _pairs(raw[1:].split(";"), True, raw)
    if raw == head:  # ";id": an empty value
        return "" if shape == "primitive" else [] if shape == "array" else {}
    if shape == "array" and explode:
        values = []
        for part in raw[1:].split(";"):
            key, equals, value = part.partition("=")
            if key != name:
                raise StyleError(f"{_show(raw)} is not in the matrix style: each item is ';{name}=...' ({example})")
            values.append(value if equals else "")
        return values
    if not raw.startswith(head + "="):
        raise StyleError(f"{_show(raw)} is not in the matrix style for {name!r} ({example})")
    text = raw[len(head) + 1 :]
    if shape == "primitive":
        return text
    parts = _split(text, ",")
    return parts if shape == "array" else _pairs(parts, False, raw)


def _split(text: str, delimiter: str) -> list[str]:
    return text.split(delimiter) if text else []


def _pairs(parts: list[str], explode: bool, raw: str) -> dict[str, str]:
    """An object's properties: ``k=v`` parts (exploded), or names and values taking turns."""
    if explode:
        found = {}
        for part in parts:
            key, equals, value = part.partition("=")
            if not equals:
                raise StyleError(f"{_show(raw)} is not an object written as name=value pairs ({part!r} has no '=')")
            found[key] = value
        return found
    if len(parts) % 2:
        raise StyleError(f"{_show(raw)} is not an object written as names and values taking turns (an odd count)")
    return dict(zip(parts[::2], parts[1::2], strict=True))


def write_styled(value: Any, *, style: str, explode: bool, name: str) -> str:
    """``value`` written in ``style`` (the inverse of :func:`read_styled`)."""
    if isinstance(value, Mapping):
        joiner = "=" if explode and style != "form" else ","
        items = [f"{k}{joiner}{_text(v)}" for k, v in value.items()]
    elif isinstance(value, list):
        items = [_text(v) for v in value]
    else:
        items = [_text(value)]
    primitive = not isinstance(value, Mapping | list)
    if style == "label":
        return "." + ("." if explode and not primitive else ",").join(items)
    if style == "matrix":
        if primitive:
            return f";{name}" + (f"={items[0]}" if items[0] else "")
        if explode and isinstance(value, Mapping):
            return "".join(f";{item}" for item in items)
        if explode:
            return "".join(f";{name}={item}" for item in items)
        return f";{name}" + (f"={','.join(items)}" if items else "")
    return ",".join(items)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _show(raw: str) -> str:
    return repr(raw if len(raw) <= 40 else raw[:37] + "...")
