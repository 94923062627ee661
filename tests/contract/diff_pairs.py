"""Real version pairs of this contract for the breaking-change check, each with its verdict.

Each :class:`Pair` starts from the project's ``openapi.yaml`` (optionally extended by
``prepare``, for parts the contract does not have yet, such as a request body), applies
one named mutation, and says who the change breaks going forward (old → mutated) and
backward (mutated → old): ``clients``, ``implementations``, ``both``, ``compatible``
(only compatible changes) or ``none`` (no change at all). The tests check both
directions; ``scripts/compare_spec_diff.py`` writes every pair to files and runs the
peer on them too.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from contract_tests.diff.model import CLIENTS, IMPLEMENTATIONS, Change

__all__ = ["PAIRS", "Pair", "base_document", "verdict", "write_pair"]

ROOT = Path(__file__).resolve().parents[2]
USAGE = "/organizations/{organizationId}/usage"
REPORTS = "/organizations/{organizationId}/usage-reports"
Mutation = Callable[[dict[str, Any]], None]


def base_document() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    return document


def verdict(changes: list[Change]) -> str:
    """``clients``, ``implementations``, ``both``, ``compatible`` or ``none``."""
    sides = {c.classification for c in changes}
    if CLIENTS in sides and IMPLEMENTATIONS in sides:
        return "both"
    if CLIENTS in sides:
        return "clients"
    if IMPLEMENTATIONS in sides:
        return "implementations"
    return "compatible" if changes else "none"


@dataclass(frozen=True)
class Pair:
    name: str
    mutate: Mutation
    forward: str
    backward: str
    kind: str  # a change kind the forward diff must contain ("" for no change)
    prepare: Mutation | None = None

    def documents(self) -> tuple[dict[str, Any], dict[str, Any]]:
        old = base_document()
        if self.prepare is not None:
            self.prepare(old)
        new = copy.deepcopy(old)
        self.mutate(new)
        return old, new


def write_pair(pair: Pair, directory: Path) -> tuple[Path, Path]:
    """Write the pair's two versions as YAML files into ``directory``."""
    old, new = pair.documents()
    paths = directory / f"{pair.name}.old.yaml", directory / f"{pair.name}.new.yaml"
    for path, document in zip(paths, (old, new), strict=True):
        path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return paths


def _op(d: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = d["paths"][USAGE]["get"]
    return operation


def _param(d: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in _op(d)["parameters"] if p["name"] == name)


def _schema(d: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = d["components"]["schemas"][name]
    return schema


def _reports(d: dict[str, Any]) -> None:
    """A POST operation with a JSON request body, for the request-body pairs."""
    d["paths"][REPORTS] = {
        "post": {
            "operationId": "createUsageReport",
            "parameters": [copy.deepcopy(_param(d, "organizationId"))],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UsageReportRequest"}}},
            },
            "responses": {
                "202": {
                    "description": "Accepted.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UsageResponse"}}},
                },
                "422": {
                    "description": "Invalid.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                },
            },
        }
    }
    d["components"]["schemas"]["UsageReportRequest"] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["startDate"],
        "properties": {
            "startDate": {"type": "number"},
            "endDate": {"type": "number"},
            "format": {"type": "string", "enum": ["csv", "json"]},
            "id": {"type": "string", "readOnly": True},
        },
    }


def _body(d: dict[str, Any]) -> dict[str, Any]:
    return _schema(d, "UsageReportRequest")


def _query(name: str, schema: dict[str, Any], *, required: bool = False) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        _op(d)["parameters"].append({"name": name, "in": "query", "required": required, "schema": schema})

    return mutate


def _set(getter: Callable[[dict[str, Any]], dict[str, Any]], **values: Any) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        getter(d).update(values)

    return mutate


def _add_path(d: dict[str, Any]) -> None:
    operation = copy.deepcopy(_op(d))
    operation["operationId"] = "getOrganizationUsageSummary"
    d["paths"]["/organizations/{organizationId}/usage-summary"] = {"get": operation}


def _add_method(d: dict[str, Any]) -> None:
    d["paths"][USAGE]["delete"] = {
        "operationId": "deleteOrganizationUsage",
        "parameters": [copy.deepcopy(_param(d, "organizationId"))],
        "responses": {"204": {"description": "Deleted."}},
    }


def _rename_component(d: dict[str, Any]) -> None:
    schemas = d["components"]["schemas"]
    schemas["ChannelUsage"] = schemas.pop("Usage")
    schemas["UsageResponse"]["properties"]["data"]["$ref"] = "#/components/schemas/ChannelUsage"


def _rename_path_parameter(d: dict[str, Any]) -> None:
    d["paths"]["/organizations/{orgId}/usage"] = d["paths"].pop(USAGE)
    next(p for p in d["paths"]["/organizations/{orgId}/usage"]["get"]["parameters"] if p["in"] == "path")["name"] = (
        "orgId"
    )


def _all_of(d: dict[str, Any]) -> None:
    schemas = d["components"]["schemas"]
    schemas["Envelope"] = {"type": "object", "required": ["data"]}
    schemas["UsageResponse"] = {
        "allOf": [
            {"$ref": "#/components/schemas/Envelope"},
            {"properties": {"data": {"$ref": "#/components/schemas/Usage"}}},
        ],
        "description": "Usage of an organization.",
    }


def _recursive(d: dict[str, Any]) -> None:
    _schema(d, "Usage")["properties"]["parts"] = {"type": "array", "items": {"$ref": "#/components/schemas/Usage"}}


def _media_type(d: dict[str, Any]) -> None:
    content = _op(d)["responses"]["200"]["content"]
    content["application/vnd.usage+json"] = content.pop("application/json")


def _header_name(d: dict[str, Any]) -> None:
    d["components"]["securitySchemes"]["ApiKeyAuth"]["name"] = "X-Api-Token"


def _second_scheme(d: dict[str, Any]) -> None:
    d["components"]["securitySchemes"]["BearerAuth"] = {"type": "http", "scheme": "bearer"}
    _op(d)["security"].append({"BearerAuth": []})


def _remove_property(d: dict[str, Any]) -> None:
    usage = _schema(d, "Usage")
    del usage["properties"]["usageSage"]
    usage["required"].remove("usageSage")


def _body_media_type(d: dict[str, Any]) -> None:
    content = d["paths"][REPORTS]["post"]["requestBody"]["content"]
    content["application/x-www-form-urlencoded"] = content.pop("application/json")


PAIRS: tuple[Pair, ...] = (
    Pair("path-removed", lambda d: d["paths"].pop(USAGE), "clients", "implementations", "operation-removed"),
    Pair("path-added", _add_path, "implementations", "clients", "operation-added"),
    Pair("method-added", _add_method, "implementations", "clients", "operation-added"),
    Pair("parameter-added-optional", _query("channel", {"type": "string", "enum": ["sms", "email"]}), "implementations", "clients", "parameter-added"),
    Pair("parameter-added-required", _query("timezone", {"type": "string"}, required=True), "both", "clients", "parameter-added"),
    Pair("parameter-made-optional", _set(lambda d: _param(d, "endDate"), required=False), "implementations", "clients", "parameter-optional"),
    Pair("parameter-type-to-string", _set(lambda d: _param(d, "startDate")["schema"], type="string"), "implementations", "clients", "schema-type"),
    Pair("parameter-type-to-integer", _set(lambda d: _param(d, "startDate")["schema"], type="integer"), "clients", "implementations", "schema-type"),
    Pair("parameter-format-added", _set(lambda d: _param(d, "startDate")["schema"], format="int64"), "clients", "implementations", "schema-format"),
    Pair("parameter-minimum-added", _set(lambda d: _param(d, "startDate")["schema"], minimum=0), "clients", "implementations", "schema-bounds"),
    Pair("parameter-enum-added", _set(lambda d: _param(d, "organizationId")["schema"], enum=["org_1", "org_2", "org_3"]), "clients", "implementations", "schema-enum"),
    Pair("parameter-pattern-added", _set(lambda d: _param(d, "organizationId")["schema"], pattern="^org_[0-9]+$"), "clients", "implementations", "schema-pattern"),
    Pair("parameter-max-length-added", _set(lambda d: _param(d, "organizationId")["schema"], maxLength=64), "clients", "implementations", "schema-length"),
    Pair("parameter-default-added", _set(lambda d: _param(d, "unit")["schema"], default="count"), "implementations", "clients", "schema-default", prepare=_query("unit", {"type": "string", "enum": ["count", "cost"]})),
    Pair("path-parameter-renamed", _rename_path_parameter, "compatible", "compatible", "parameter-renamed"),
    Pair("component-renamed", _rename_component, "none", "none", ""),
    Pair("schema-split-into-allOf", _all_of, "none", "none", ""),
    Pair("error-response-removed", lambda d: _op(d)["responses"].pop("404"), "both", "compatible", "response-removed"),
    Pair("error-response-added", lambda d: _op(d)["responses"].update({"429": copy.deepcopy(_op(d)["responses"]["422"])}), "compatible", "both", "response-added"),
    Pair("success-response-added", lambda d: _op(d)["responses"].update({"202": {"description": "Still counting."}}), "clients", "both", "response-added"),
    Pair("response-property-removed", _remove_property, "clients", "implementations", "schema-property-removed"),
    Pair("response-property-made-optional", lambda d: _schema(d, "Usage")["required"].remove("usageSage"), "clients", "implementations", "schema-property-optional"),
    Pair("response-property-added-optional", _set(lambda d: _schema(d, "Usage")["properties"], usageVoice={"type": "number"}), "compatible", "clients", "schema-property-added"),
    Pair("response-property-type-to-string", _set(lambda d: _schema(d, "Usage")["properties"]["usageSms"], type="string"), "both", "both", "schema-type"),
    Pair("response-property-type-to-integer", _set(lambda d: _schema(d, "Usage")["properties"]["usageSms"], type="integer"), "implementations", "clients", "schema-type"),
    Pair("response-property-nullable", _set(lambda d: _schema(d, "Usage")["properties"]["usageSms"], nullable=True), "clients", "implementations", "schema-type"),
    Pair("response-property-oneOf-widened", _set(lambda d: _schema(d, "Usage")["properties"], usageSms={"oneOf": [{"type": "number"}, {"type": "string"}]}), "clients", "implementations", "schema-alternatives"),
    Pair("response-enum-added", _set(lambda d: _schema(d, "Error")["properties"]["error"], enum=["Unauthenticated", "Forbidden", "ResourceNotFound", "ValidationError"]), "implementations", "clients", "schema-enum"),
    Pair("response-closed-to-extra-properties", _set(lambda d: _schema(d, "Usage"), additionalProperties=False), "implementations", "clients", "schema-additional-properties"),
    Pair("response-media-type-changed", _media_type, "both", "both", "media-type-removed"),
    Pair("recursive-schema-type-narrowed", _set(lambda d: _schema(d, "Usage")["properties"]["usageSms"], type="integer"), "implementations", "clients", "schema-type", prepare=_recursive),
    Pair("request-body-property-required", lambda d: _body(d)["required"].append("endDate"), "clients", "implementations", "schema-property-required", prepare=_reports),
    Pair("request-body-property-type-to-string", _set(lambda d: _body(d)["properties"]["startDate"], type="string"), "both", "both", "schema-type", prepare=_reports),
    Pair("request-body-property-removed", lambda d: _body(d)["properties"].pop("format"), "clients", "implementations", "schema-property-allowed", prepare=_reports),
    Pair("request-body-enum-narrowed", _set(lambda d: _body(d)["properties"]["format"], enum=["json"]), "clients", "implementations", "schema-enum", prepare=_reports),
    Pair("request-body-property-read-only", _set(lambda d: _body(d)["properties"]["endDate"], readOnly=True), "clients", "implementations", "schema-property-allowed", prepare=_reports),
    Pair("request-body-made-optional", _set(lambda d: d["paths"][REPORTS]["post"]["requestBody"], required=False), "implementations", "clients", "request-body-required", prepare=_reports),
    Pair("request-media-type-changed", _body_media_type, "both", "both", "media-type-removed", prepare=_reports),
    Pair("security-header-renamed", _header_name, "both", "both", "security-requirement-removed"),
    Pair("security-removed", lambda d: _op(d).update({"security": []}), "implementations", "clients", "security-requirement-added"),
    Pair("security-alternative-added", _second_scheme, "implementations", "clients", "security-requirement-added"),
    Pair("key-pattern-removed", lambda d: d["components"]["securitySchemes"]["ApiKeyAuth"].pop("x-key-pattern"), "implementations", "clients", "security-key-pattern"),
    Pair("key-pattern-changed", _set(lambda d: d["components"]["securitySchemes"]["ApiKeyAuth"], **{"x-key-pattern": "^idt_(live|test)_[A-Za-z0-9]{32}$"}), "both", "both", "security-key-pattern"),
    Pair("cross-parameter-rule-removed", lambda d: _op(d).pop("x-cross-parameter-rules"), "implementations", "clients", "cross-parameter-rule"),
    Pair("error-detail-property-changed", _set(lambda d: _schema(d, "Error"), **{"x-error-detail-property": "error"}), "both", "both", "error-property"),
    Pair("server-removed", lambda d: d["servers"].pop(0), "clients", "compatible", "server-removed"),
    Pair("description-changed", _set(_op, description="Usage per channel."), "compatible", "compatible", "operation-documentation"),
)  # fmt: skip
