"""Compare two versions of a schema, following ``$ref``s, and classify each difference.

:func:`diff_schemas` walks both schemas side by side: ``$ref``s are followed on each side
(so a component renamed without changing its shape is no change), a pair of places
already being compared is not compared again (so recursive schemas end), ``allOf``
members are merged into one view, ``oneOf``/``anyOf`` alternatives are matched, and each
keyword's change is an effect (:mod:`contract_tests.diff.keywords`) that the flow turns
into classifications (:mod:`contract_tests.diff.flow`).

Properties follow the same rules as parameters: documenting a property gives it a
meaning (``added``), dropping it withdraws one (``removed``), making it required narrows,
making it optional widens. ``readOnly`` properties are absent from requests and
``writeOnly`` ones from responses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contract_tests.diff.flow import Documents, Effect, Flow, classify, deref
from contract_tests.diff.keywords import (
    allows,
    canonical,
    compare_bounds,
    compare_enum,
    compare_flag,
    compare_format,
    compare_lengths,
    compare_multiple_of,
    compare_pattern,
    compare_types,
    type_set,
)
from contract_tests.diff.model import Change, child
from contract_tests.diff.views import DOCUMENTATION, View, as_schema, fingerprint, keyword_kind, merge_view, reassembled

__all__ = ["diff_schemas"]

_MEANINGFUL_EXTENSIONS = ("x-error-code-property", "x-error-detail-property")
_COMPARED = frozenset(
    {
        "type", "nullable", "enum", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "multipleOf", "minLength", "maxLength", "pattern", "items", "minItems", "maxItems", "uniqueItems",
        "properties", "required", "additionalProperties", "minProperties", "maxProperties", "allOf", "oneOf",
        "anyOf", "not", "readOnly", "writeOnly", "default", "discriminator", *_MEANINGFUL_EXTENSIONS,
    }
)  # fmt: skip
_ANY: dict[str, Any] = {}


def diff_schemas(
    documents: Documents, flow: Flow, old: Any, old_pointer: str, new: Any, new_pointer: str
) -> list[Change]:
    """Every difference between schema ``old`` (at ``old_pointer``) and ``new``, classified for ``flow``."""
    walk = _Walk(documents, flow)
    walk.compare(old, old_pointer, new, new_pointer, "")
    return walk.changes


@dataclass
class _Walk:
    documents: Documents
    flow: Flow
    changes: list[Change] = field(default_factory=list)
    _compared: set[tuple[str, str]] = field(default_factory=set)

    def emit(self, effect: Effect, kind: str, what: str, old_at: str | None, new_at: str | None, path: str) -> None:
        message = f"{self.flow.where}{': ' + path if path else ''}: {what}"
        for classification in classify(self.flow.direction, effect):
            change = Change(kind, classification, message, old_at, new_at)
            if change not in self.changes:
                self.changes.append(change)

    def compare(self, old: Any, old_at: str, new: Any, new_at: str, path: str) -> None:
        old, old_at = deref(self.documents.old, old, old_at, "old")
        new, new_at = deref(self.documents.new, new, new_at, "new")
        if (old_at, new_at) in self._compared:  # a recursive schema, or a component used twice
            return
        self._compared.add((old_at, new_at))
        old, new = as_schema(old), as_schema(new)
        old_view = merge_view(self.documents.old, old, old_at, "old")
        new_view = merge_view(self.documents.new, new, new_at, "new")
        if old_view is None or new_view is None:
            if fingerprint(self.documents.old, old, "old") != fingerprint(self.documents.new, new, "new"):
                self.emit(
                    "both", "schema-changed", "allOf members conflict; not compared in detail", old_at, new_at, path
                )
            return
        if self._alternatives(old_view, new_view, path):
            return
        self._keywords(old_view, new_view, path)

    def _keywords(self, old: View, new: View, path: str) -> None:
        o, n = old.keywords, new.keywords
        oa, na = old.pointer, new.pointer
        for effect, what in compare_types(o, n, textual=self.flow.textual):
            self.emit(effect, "schema-type", what, oa, na, path)
        for effect, what in compare_enum(o, n):
            self.emit(effect, "schema-enum", what, oa, na, path)
        for effect, what in compare_format(o, n):
            self.emit(effect, "schema-format", what, oa, na, path)
        self._typed_keywords(old, new, path)
        self._rest(old, new, path)

    def _typed_keywords(self, old: View, new: View, path: str) -> None:
        """The keywords that apply to a type both versions allow (bounds, patterns, lengths, items, properties)."""
        o, n = old.keywords, new.keywords
        oa, na = old.pointer, new.pointer
        before, after = type_set(o), type_set(n)

        def shared(*kinds: str) -> bool:
            return any(allows(before, k) for k in kinds) and any(allows(after, k) for k in kinds)

        if shared("number", "integer"):
            for effect, what in [*compare_bounds(o, n), *compare_multiple_of(o, n)]:
                self.emit(effect, "schema-bounds", what, oa, na, path)
        if shared("string"):
            for effect, what in compare_pattern(o, n):
                self.emit(effect, "schema-pattern", what, oa, na, path)
        for kind in ("string", "array", "object"):
            if shared(kind):
                for effect, what in compare_lengths(o, n, kind):
                    self.emit(effect, "schema-length", what, oa, na, path)
        if shared("array"):
            self._items(old, new, path)
        if shared("object"):
            self._properties(old, new, path)
            self._additional(old, new, path)

    def _items(self, old: View, new: View, path: str) -> None:
        o, n = old.keywords, new.keywords
        oa, na = old.pointer, new.pointer
        for effect, what in compare_flag(o, n, "uniqueItems"):
            self.emit(effect, "schema-items", what, oa, na, path)
        if "items" in o or "items" in n:
            self.compare(
                o.get("items", _ANY), child(old.origin.get("items", oa), "items") if "items" in o else oa,
                n.get("items", _ANY), child(new.origin.get("items", na), "items") if "items" in n else na,
                f"{path}[]",
            )  # fmt: skip

    def _rest(self, old: View, new: View, path: str) -> None:
        o, n = old.keywords, new.keywords
        oa, na = old.pointer, new.pointer
        if fingerprint(self.documents.old, o.get("not"), "old") != fingerprint(self.documents.new, n.get("not"), "new"):
            if "not" in o and "not" in n:
                self.emit("both", "schema-not", "'not' changed; the direction cannot be told", oa, na, path)
            else:
                effect: Effect = "narrower" if "not" in n else "wider"
                self.emit(effect, "schema-not", f"'not' {'added' if 'not' in n else 'removed'}", oa, na, path)
        if canonical(o.get("discriminator")) != canonical(n.get("discriminator")):
            self.emit("both", "schema-discriminator", "discriminator changed", oa, na, path)
        self._default(old, new, path)
        self._extensions(old, new, path)

    def _default(self, old: View, new: View, path: str) -> None:
        o, n = old.keywords, new.keywords
        if "default" not in o and "default" not in n:
            return
        before = canonical(o["default"]) if "default" in o else "none"
        after = canonical(n["default"]) if "default" in n else "none"
        if before != after:
            effect: Effect = "removed" if "default" not in n else "added" if "default" not in o else "both"
            if self.flow.direction == "response":
                effect = "neutral"  # a response default documents, it asks nothing of either side
            self.emit(effect, "schema-default", f"default {before} → {after}", old.pointer, new.pointer, path)

    def _extensions(self, old: View, new: View, path: str) -> None:
        """The kit's extensions, other documentation, and keywords this check does not compare."""
        o, n = old.keywords, new.keywords
        oa, na = old.pointer, new.pointer
        for key in _MEANINGFUL_EXTENSIONS:
            if o.get(key) != n.get(key):
                change: Effect = "added" if key not in o else "removed" if key not in n else "both"
                if change == "added":
                    change = (
                        "narrower" if self.flow.direction == "response" else "wider"
                    )  # implementations must follow it
                self.emit(change, "error-property", f"{key} {o.get(key)} → {n.get(key)}", oa, na, path)
        documentation = sorted(
            k
            for k in {*o, *n}
            if (k in DOCUMENTATION or (k.startswith("x-") and k not in _MEANINGFUL_EXTENSIONS))
            and canonical(o.get(k)) != canonical(n.get(k))
        )
        if documentation:
            self.emit("neutral", "schema-documentation", f"{', '.join(documentation)} changed", oa, na, path)
        for key in sorted(
            k for k in {*o, *n} if k not in _COMPARED and k not in DOCUMENTATION and not k.startswith("x-")
        ):
            kind = keyword_kind(key)
            if fingerprint(self.documents.old, o.get(key), "old", kind) != fingerprint(
                self.documents.new, n.get(key), "new", kind
            ):
                self.emit("both", "schema-keyword", f"keyword {key!r} changed; not compared", oa, na, path)

    def _presence(self, view: View, name: str, documents_side: Mapping[str, Any], label: str) -> tuple[str, Any, str]:
        """('schema', node, pointer), ('any', ...) for an undocumented name, or ('never', ...)."""
        if name in view.properties:
            node, at = view.properties[name]
            resolved, _ = deref(documents_side, node, at, label)
            hidden = "readOnly" if self.flow.direction == "request" else "writeOnly"
            if isinstance(resolved, Mapping) and resolved.get(hidden) is True:
                return "never", hidden, at
            return "schema", node, at
        extra = view.keywords.get("additionalProperties", True)
        if extra is False:
            return "never", "additionalProperties", view.pointer
        if extra is True or extra == {}:
            return "any", None, view.pointer
        return "schema", extra, child(view.origin.get("additionalProperties", view.pointer), "additionalProperties")

    def _properties(self, old: View, new: View, path: str) -> None:
        names = sorted({*old.properties, *new.properties, *old.required, *new.required})
        for name in names:
            here = f"{path}.{name}" if path else name
            o_kind, o_node, o_at = self._presence(old, name, self.documents.old, "old")
            n_kind, n_node, n_at = self._presence(new, name, self.documents.new, "new")
            o_absent = o_kind == "never" or name not in old.required
            n_absent = n_kind == "never" or name not in new.required
            effects: list[tuple[Effect, str, str]] = []
            if o_kind == "any" and n_kind == "schema":
                required = "required" if not n_absent else "optional"
                effects.append(("added", "schema-property-added", f"{required} property '{name}' added"))
                if not n_absent:
                    effects.append(("narrower", "schema-property-added", f"required property '{name}' added"))
            elif o_kind == "schema" and n_kind == "any":
                effects.append(("removed", "schema-property-removed", f"property '{name}' removed"))
            else:
                if o_kind != n_kind and "never" in (o_kind, n_kind):
                    effects.append(_visibility(name, o_kind, o_node, n_kind, n_node))
                if o_absent != n_absent:
                    effects.append(
                        ("wider", "schema-property-optional", f"property '{name}' is now optional")
                        if n_absent
                        else ("narrower", "schema-property-required", f"property '{name}' is now required")
                    )
            for effect, kind, what in effects:
                if effect == "added" and not n_absent and self.flow.direction == "response":
                    continue  # a required response property: the 'narrower' record says it all
                self.emit(
                    effect, kind, what, o_at if o_kind != "any" else None, n_at if n_kind != "any" else None, here
                )
            if o_kind == "schema" and n_kind == "schema":
                self.compare(o_node, o_at, n_node, n_at, here)

    def _additional(self, old: View, new: View, path: str) -> None:
        o = old.keywords.get("additionalProperties", True)
        n = new.keywords.get("additionalProperties", True)
        o_kind = "any" if o is True or o == {} else "never" if o is False else "schema"
        n_kind = "any" if n is True or n == {} else "never" if n is False else "schema"
        here = f"{path}.*" if path else "*"
        if o_kind == n_kind == "schema":
            o_at = child(old.origin.get("additionalProperties", old.pointer), "additionalProperties")
            n_at = child(new.origin.get("additionalProperties", new.pointer), "additionalProperties")
            self.compare(o, o_at, n, n_at, here)
        elif o_kind != n_kind:
            order = {"never": 0, "schema": 1, "any": 2}
            effect: Effect = "narrower" if order[n_kind] < order[o_kind] else "wider"
            what = f"additionalProperties {o_kind} → {n_kind}"
            self.emit(effect, "schema-additional-properties", what, old.pointer, new.pointer, path)

    def _alternatives(self, old: View, new: View, path: str) -> bool:
        """Compare ``oneOf``/``anyOf``; True when that was the whole comparison."""
        o_key = next((k for k in ("oneOf", "anyOf") if isinstance(old.keywords.get(k), list)), None)
        n_key = next((k for k in ("oneOf", "anyOf") if isinstance(new.keywords.get(k), list)), None)
        if o_key is None and n_key is None:
            return False
        oa, na = old.pointer, new.pointer

        def members(view: View, key: str | None) -> list[tuple[Any, str]]:
            if key is None:
                return [(reassembled(view), view.pointer)]
            base = view.origin.get(key, view.pointer)
            return [(node, child(base, key, i)) for i, node in enumerate(view.keywords[key])]

        if o_key and n_key and o_key != n_key:
            effect: Effect = "wider" if n_key == "anyOf" else "narrower"
            self.emit(effect, "schema-alternatives", f"{o_key} → {n_key}", oa, na, path)
        before, after = members(old, o_key), members(new, n_key)
        prints_after: list[str | None] = [fingerprint(self.documents.new, node, "new") for node, _ in after]
        unmatched_old = []
        for node, at in before:
            found = fingerprint(self.documents.old, node, "old")
            if found in prints_after:
                prints_after[prints_after.index(found)] = None
            else:
                unmatched_old.append((node, at))
        unmatched_new = [after[i] for i, p in enumerate(prints_after) if p is not None]
        for (o_node, o_at), (n_node, n_at) in zip(unmatched_old, unmatched_new, strict=False):
            self.compare(o_node, o_at, n_node, n_at, path)
        for _, o_at in unmatched_old[len(unmatched_new) :]:
            self.emit("narrower", "schema-alternatives", "an alternative removed", o_at, na, path)
        for _, n_at in unmatched_new[len(unmatched_old) :]:
            self.emit("wider", "schema-alternatives", "an alternative added", oa, n_at, path)
        return not (o_key and n_key)


_HIDDEN = {
    "readOnly": ("read-only (requests must not send it)", "no longer read-only (requests may send it)"),
    "writeOnly": ("write-only (responses no longer carry it)", "no longer write-only (responses may carry it)"),
}


def _visibility(name: str, o_kind: str, o_node: Any, n_kind: str, n_node: Any) -> tuple[Effect, str, str]:
    """A property that became forbidden (``never``) or stopped being so."""
    if n_kind == "never":
        what = _HIDDEN[n_node][0] if n_node in _HIDDEN else "no longer allowed"
        return "narrower", "schema-property-allowed", f"property '{name}' is {what}"
    what = _HIDDEN[o_node][1] if o_node in _HIDDEN else "now allowed"
    return "wider", "schema-property-allowed", f"property '{name}' is {what}"
