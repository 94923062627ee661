"""Generate data from a schema: fixed values for the default answer, drawn ones for ``Prefer: dynamic``.

One :class:`Generator` per spec version compiles every ``pattern`` of the schemas it is
shown (:meth:`Generator.prepare`, at load) so that drawing costs no parsing. A value comes
from, in order: the schema's own ``example``/``examples``/``default``, ``const``/``enum``, then
the keywords APIs use: types (``nullable`` included), ``format``, ``pattern``, lengths,
bounds (exclusive ones too), ``multipleOf``, ``properties`` with ``required`` (names the
schema does not declare included), ``additionalProperties``, ``minProperties``/
``maxProperties``, ``items`` with ``minItems``/``maxItems``/``uniqueItems``, ``allOf`` (merged),
``oneOf``/``anyOf`` (one branch); ``writeOnly`` properties are left out of answers (and
``readOnly`` ones out of requests, for a generator made for them). Refs that recursive schemas keep are followed through
the spec's table; past a few levels the generator takes the shortest way out (no optional
properties, the fewest items), and past :data:`MAX_REF_DEPTH` it gives up. Its last attempts
take that way out from the top, so that an optional property no value satisfies (a ``oneOf``
of two equal branches, as specs write by mistake) is left out rather than the whole answer lost.
A value of more than :data:`MAX_VALUES` values or :data:`MAX_CHARACTERS` characters (a ``minItems`` or
``minLength`` of billions) is not made: :class:`TooLarge` says so before the memory is taken.

:meth:`Generator.produce` validates what it makes against the compiled schema and tries
again (without the schema's examples, with other draws) before it raises
:class:`Unsatisfiable`: the caller then knows nothing valid can be produced.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Mapping
from typing import Any

from mockserver.core.formats import format_value
from mockserver.core.numbers import number_value
from mockserver.core.patterns import PatternGenerator, compile_pattern
from usage_contract_kit.schemas import SchemaValidator

__all__ = ["MAX_CHARACTERS", "MAX_REF_DEPTH", "MAX_VALUES", "Generator", "TooLarge", "Unsatisfiable", "merge_all_of"]

MAX_REF_DEPTH = 24  # recursive refs followed before giving up
MAX_VALUES = 100_000  # values (items, properties, scalars) in one generated value
MAX_CHARACTERS = 1_000_000  # characters of its strings, together
_SHALLOW = 3  # recursive refs followed before taking the shortest way out
_ATTEMPTS = 12
_MINIMAL = 4  # the last attempts leave out what may be left out: an optional part may have no valid value
_TOO_LARGE_ATTEMPTS = 3  # draws after which one more too large a value ends the search
_TEXT = string.ascii_letters + string.digits
_EXAMPLE_KEYS = ("example", "examples", "default")


class Unsatisfiable(Exception):
    """No value for this schema along this draw."""


class TooLarge(Unsatisfiable):
    """The value this draw would make is over :data:`MAX_VALUES` values or :data:`MAX_CHARACTERS` characters."""


class Generator:
    """Values for the schemas of one spec; ``definitions`` are the targets of kept refs.

    ``hidden`` is the annotation of the properties it leaves out, required or not:
    ``writeOnly`` for answers (what only a client sends), ``readOnly`` for requests.
    """

    def __init__(self, definitions: Mapping[str, Any] | None = None, *, hidden: str = "writeOnly") -> None:
        self.definitions = definitions or {}
        self.hidden = hidden
        self._patterns: dict[str, tuple[PatternGenerator | None, re.Pattern[str] | None]] = {}

    def prepare(self, schema: Any) -> None:
        """Compile every ``pattern`` under ``schema`` now, not on a request."""
        stack = [schema]
        seen: set[int] = set()
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict) and id(node) not in seen:
                seen.add(id(node))
                if isinstance(node.get("pattern"), str):
                    self._pattern(node["pattern"])
                ref = node.get("$ref")
                if isinstance(ref, str) and ref in self.definitions:
                    stack.append(self.definitions[ref])
                stack.extend(v for k, v in node.items() if k not in _EXAMPLE_KEYS and k != "enum")

    def produce(self, schema: Any, validator: SchemaValidator | None, seed: int, *, static: bool) -> Any:
        """A value valid against ``validator`` (``null`` may be one); :class:`Unsatisfiable` if none turned up
        (:class:`TooLarge` if every draw was too large)."""
        too_large: TooLarge | None = None
        for attempt in range(_ATTEMPTS):
            rng = random.Random(seed * 7919 + attempt)  # noqa: S311 - sample data, not a secret
            try:
                value = _Draw(
                    self,
                    rng,
                    static and attempt < 2,
                    attempt % 4 != 1 and attempt < 6,
                    minimal=attempt >= _ATTEMPTS - _MINIMAL,
                ).value(schema, 0)
            except TooLarge as error:
                if too_large is not None and attempt >= _TOO_LARGE_ATTEMPTS:
                    raise  # each draw costs up to the bounds: a few suffice to try the other branches
                too_large = error
                continue
            except (Unsatisfiable, RecursionError):
                continue
            if validator is None or validator.is_valid(value):
                return value
        if too_large is not None:
            raise too_large
        raise Unsatisfiable(f"no valid value within {_ATTEMPTS} attempts")

    def generate(self, schema: Any, rng: random.Random, *, static: bool, examples: bool = True) -> Any:
        """One value for ``schema`` (raises :class:`Unsatisfiable` where this draw finds none)."""
        return _Draw(self, rng, static, examples).value(schema, 0)

    def _pattern(self, pattern: str) -> tuple[PatternGenerator | None, re.Pattern[str] | None]:
        found = self._patterns.get(pattern)
        if found is None:
            try:
                checker: re.Pattern[str] | None = re.compile(pattern)
            except re.error:
                checker = None
            found = self._patterns[pattern] = (compile_pattern(pattern), checker)
        return found


class _Draw:
    """One value's worth of choices."""

    def __init__(
        self, generator: Generator, rng: random.Random, static: bool, examples: bool, *, minimal: bool = False
    ) -> None:
        self.generator, self.rng, self.static, self.examples = generator, rng, static, examples
        self.minimal = minimal  # only what the schema requires, at any depth
        self.values_left, self.characters_left = MAX_VALUES, MAX_CHARACTERS

    def _spend(self, values: int, characters: int = 0) -> None:
        """Count what the value will hold, before it is made: :class:`TooLarge` past the bounds."""
        self.values_left -= values
        self.characters_left -= characters
        if self.values_left < 0:
            raise TooLarge(f"it would hold more than {MAX_VALUES:,} values")
        if self.characters_left < 0:
            raise TooLarge(f"its strings would hold more than {MAX_CHARACTERS:,} characters")

    def value(self, schema: Any, depth: int) -> Any:  # noqa: C901 - the keywords in the order they decide
        self._spend(1)
        if schema is True or schema == {}:
            return "string"
        if not isinstance(schema, dict):
            raise Unsatisfiable("false schema")
        ref = schema.get("$ref")
        if isinstance(ref, str):
            if depth >= MAX_REF_DEPTH or ref not in self.generator.definitions:
                raise Unsatisfiable(f"recursion deeper than {MAX_REF_DEPTH} levels at {ref}")
            return self.value(self.generator.definitions[ref], depth + 1)
        if self.examples:
            for key in ("example", "default"):
                if key in schema:
                    return schema[key]
            if isinstance(schema.get("examples"), list) and schema["examples"]:
                return schema["examples"][0] if self.static else self.rng.choice(schema["examples"])
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            if not self.static:  # any value, null included: a fixed draw may have picked one the type refuses
                return self.rng.choice(schema["enum"])
            return next((v for v in schema["enum"] if v is not None), None)
        if isinstance(schema.get("allOf"), list):
            return self.value(merge_all_of(schema), depth)
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                return self.value(self._branch(schema, key, depth), depth)
        kind = self._type(schema)
        if kind == "object":
            return self._object(schema, depth)
        if kind == "array":
            return self._array(schema, depth)
        if kind in ("number", "integer"):
            number = number_value(schema, self.rng, integer=kind == "integer", static=self.static)
            if number is None:
                raise Unsatisfiable("no multiple of multipleOf within the bounds")
            return number
        if kind == "boolean":
            return True if self.static else self.rng.random() < 0.5
        if kind == "null":
            return None
        return self._string(schema)

    def _branch(self, schema: dict[str, Any], key: str, depth: int) -> dict[str, Any]:
        branches = [b for b in schema[key] if isinstance(b, dict)]
        if depth >= _SHALLOW:  # deep in a recursion: prefer a branch that ends it
            branches = sorted(branches, key=lambda b: "$ref" in str(b))
        if not branches:
            raise Unsatisfiable(f"no {key} branch")
        chosen = branches[0] if self.static or depth >= _SHALLOW else self.rng.choice(branches)
        outer = {k: v for k, v in schema.items() if k not in (key, *_EXAMPLE_KEYS)}
        return merge_all_of({"allOf": [outer, chosen]}) if outer else chosen

    def _type(self, schema: dict[str, Any]) -> str:
        declared = schema.get("type")
        if isinstance(declared, list):
            choices = [t for t in declared if t != "null"] or ["null"]
            return str(choices[0] if self.static else self.rng.choice(choices))
        if isinstance(declared, str):
            return declared
        if any(k in schema for k in ("properties", "additionalProperties", "required", "minProperties")):
            return "object"
        if any(k in schema for k in ("items", "minItems", "maxItems", "prefixItems")):
            return "array"
        if any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")):
            return "number"
        return "string"

    def _object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        properties = schema.get("properties") or {}
        required = [str(n) for n in schema.get("required") or ()]
        shallow = depth >= _SHALLOW or self.minimal
        hidden = self.generator.hidden
        left_out = {n for n, sub in properties.items() if isinstance(sub, dict) and sub.get(hidden) is True}
        names = [n for n in dict.fromkeys(required) if n not in left_out]
        optional = [n for n in properties if n not in names and n not in left_out]
        high = schema.get("maxProperties")
        low = int(schema.get("minProperties", 0))
        if low > self.values_left:
            self._spend(low)
        for name in optional:
            if high is not None and len(names) >= int(high):
                break
            if not shallow or len(names) < low:
                names.append(name)
        extra_schema = schema.get("additionalProperties", True)
        result: dict[str, Any] = {}
        for name in names:
            sub = properties.get(name, extra_schema if isinstance(extra_schema, dict) else {"type": "string"})
            result[name] = self.value(sub, depth)
        counter = 1
        while len(result) < low:
            if extra_schema is False:
                raise Unsatisfiable("minProperties beyond the declared properties")
            result[f"property{counter}"] = self.value(extra_schema if isinstance(extra_schema, dict) else {}, depth)
            counter += 1
        return result

    def _array(self, schema: dict[str, Any], depth: int) -> list[Any]:
        low = int(schema.get("minItems", 0))
        high = schema.get("maxItems")
        if self.static or depth >= _SHALLOW or self.minimal:
            count = low if depth >= _SHALLOW or self.minimal else max(low, 1)
        else:
            count = self.rng.randint(max(low, 1), max(low, 1) + 2)
        if high is not None:
            count = min(count, int(high))
        if count > self.values_left:
            self._spend(count)
        prefix: list[Any] = schema["prefixItems"] if isinstance(schema.get("prefixItems"), list) else []
        items = schema.get("items", {})
        result: list[Any] = [self.value(sub, depth) for sub in prefix[:count]]
        tries = 0
        while len(result) < count:
            item = self.value(items if isinstance(items, dict) else {}, depth)
            tries += 1
            if schema.get("uniqueItems") and item in result:
                if tries > count * 8:
                    break
                self.static = False  # a fixed choice would repeat itself
                continue
            result.append(item)
        if len(result) < low:
            raise Unsatisfiable("not enough distinct items")
        return result

    def _string(self, schema: dict[str, Any]) -> str:
        low = int(schema.get("minLength", 0))
        high = schema.get("maxLength")
        self._spend(0, low)
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            return self._from_pattern(pattern, low, high)
        fmt = schema.get("format")
        if isinstance(fmt, str):
            value = format_value(fmt, self.rng, static=self.static)
            if value is not None and len(value) >= low and (high is None or len(value) <= int(high)):
                return value
        draw = "".join(self.rng.choice(_TEXT) for _ in range(self.rng.randint(4, 12)))
        text = "string" if self.static else draw
        text = (text * (low // len(text) + 1))[: max(low, len(text))]
        return text[: int(high)] if high is not None else text

    def _from_pattern(self, pattern: str, low: int, high: Any) -> str:
        generator, checker = self.generator._pattern(pattern)
        if generator is None:
            raise Unsatisfiable(f"pattern {pattern!r} is not one this generator can read")
        for _ in range(30):
            text = generator.generate(self.rng)
            if len(text) < low and checker is not None and not pattern.endswith("$"):
                text += "x" * (low - len(text))
            fits = len(text) >= low and (high is None or len(text) <= int(high))
            if fits and (checker is None or checker.search(text)):
                return text
        raise Unsatisfiable(f"no string of length {low}..{high} matching {pattern!r} within 30 draws")


def merge_all_of(schema: dict[str, Any]) -> dict[str, Any]:
    """``allOf`` folded into one schema: properties and required united, other keywords kept first-come."""
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema.get("allOf", []):
        if not isinstance(part, dict):
            continue
        if "allOf" in part:
            part = merge_all_of(part)
        for key, value in part.items():
            if key == "properties":
                merged["properties"] = {**merged.get("properties", {}), **value}
            elif key == "required":
                merged["required"] = [*merged.get("required", []), *value]
            elif key in ("minimum", "minLength", "minItems", "minProperties") and key in merged:
                merged[key] = max(merged[key], value)
            elif key in ("maximum", "maxLength", "maxItems", "maxProperties") and key in merged:
                merged[key] = min(merged[key], value)
            else:
                merged.setdefault(key, value)
    return merged
