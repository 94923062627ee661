"""The proxy in front of the project's own implementations (``tests/contract``), in process.

A correct implementation gives no response violation on a mixed set of valid and invalid
requests (the invalid ones are reported as the caller's, each with its rule); each
response-shaped defect gives the violation meant for it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from mockserver.app import create_app
from tests.conftest import SPEC_PATH
from tests.contract.implementations import (
    CORRECT,
    DEFECTS,
    KEY,
    MISSING_ORG,
    ORG,
    OTHER_KEY,
    OTHER_ORG,
    WINDOW,
    Implementation,
)
from tests.mockserver.upstreams import WsgiUpstream

RANGE = f"startDate={WINDOW[0]}&endDate={WINDOW[1]}"
USAGE = f"/organizations/{ORG}/usage"
OWN = {"X-API-Key": KEY}
FAR_FUTURE = "startDate=10413792000000&endDate=10413878399999"  # 2300: no usage in the implementations' data
OPERATION = "#/paths/~1organizations~1{organizationId}~1usage/get"

# (label, method, target, headers, the rules the request breaks)
MIXED: list[tuple[str, str, str, dict[str, str], list[str]]] = [
    ("valid", "GET", f"{USAGE}?{RANGE}", OWN, []),
    ("the other tenant's own", "GET", f"/organizations/{OTHER_ORG}/usage?{RANGE}", {"X-API-Key": OTHER_KEY}, []),
    ("another tenant's organization", "GET", f"/organizations/{OTHER_ORG}/usage?{RANGE}", OWN, []),
    ("an unknown organization", "GET", f"/organizations/{MISSING_ORG}/usage?{RANGE}", OWN, []),
    ("HEAD", "HEAD", f"{USAGE}?{RANGE}", OWN, []),
    ("from 1900 to 2100", "GET", f"{USAGE}?startDate=-2208988800000&endDate=4102444800000", OWN, []),
    ("exponent and fraction", "GET", f"{USAGE}?startDate=1.7e12&endDate=1700000000000.5", OWN, []),
    ("one instant", "GET", f"{USAGE}?startDate=5&endDate=5", OWN, []),
    ("an unknown key of the right shape", "GET", f"{USAGE}?{RANGE}", {"X-API-Key": "idt_live_" + "0" * 32}, []),
    ("no key", "GET", f"{USAGE}?{RANGE}", {}, ["missing-credentials"]),
    ("a key of another shape", "GET", f"{USAGE}?{RANGE}", {"X-API-Key": "sk_test_123"}, ["malformed-credentials"]),
    ("NaN", "GET", f"{USAGE}?startDate=NaN&endDate=2", OWN, ["invalid-parameter"]),
    ("hex", "GET", f"{USAGE}?startDate=0x1F&endDate=2", OWN, ["invalid-parameter"]),
    ("repeated", "GET", f"{USAGE}?startDate=1&startDate=2&endDate=3", OWN, ["invalid-parameter"]),
    ("empty", "GET", f"{USAGE}?startDate=&endDate=3", OWN, ["invalid-parameter"]),
    ("missing", "GET", f"{USAGE}?startDate=1", OWN, ["invalid-parameter"]),
    ("trailing garbage", "GET", f"{USAGE}?startDate=12abc&endDate=13", OWN, ["invalid-parameter"]),
    ("end before start", "GET", f"{USAGE}?startDate=5&endDate=4", OWN, ["cross-parameter-rule"]),
    ("no key and NaN", "GET", f"{USAGE}?startDate=NaN&endDate=2", {}, ["missing-credentials", "invalid-parameter"]),
    ("POST", "POST", f"{USAGE}?{RANGE}", OWN, ["undocumented-operation"]),
    ("an unknown path", "GET", "/organizations", OWN, ["undocumented-operation"]),
]  # fmt: skip

# "first request takes 3 s" is about latency, which the proxy does not judge; the others run.
CHECKED = [impl for impl in CORRECT if not impl.cold_start]


def proxy_app(implementation: Any, spec: Path = SPEC_PATH, **config: Any) -> Flask:
    settings = {"MOCK_RELOAD_INTERVAL": 0, "MOCK_PROXY": "http://upstream.test"}
    settings.update({f"MOCK_{name.upper()}": value for name, value in config.items()})
    return create_app(spec, settings, upstream=WsgiUpstream(implementation))


@pytest.fixture
def proxied(request: pytest.FixtureRequest) -> Iterator[FlaskClient]:
    with proxy_app(request.param).test_client() as client:
        yield client


def _violations(client: FlaskClient, method: str, target: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    """The violations the proxy found in one exchange."""
    client.delete("/__admin/violations")
    client.open(target, method=method, headers=headers)
    entries = client.get("/__admin/violations").get_json()["violations"]
    assert len(entries) <= 1
    return entries[0]["violations"] if entries else []


@pytest.mark.parametrize("proxied", CHECKED, ids=[impl.name for impl in CHECKED], indirect=True)
def test_a_correct_implementation_breaks_no_rule(proxied: FlaskClient) -> None:
    for label, method, target, headers, expected in MIXED:
        found = _violations(proxied, method, target, headers)
        assert [v["rule"] for v in found if v["side"] == "response"] == [], label
        assert [v["rule"] for v in found if v["side"] == "request"] == expected, label


def _defect(name: str) -> Implementation:
    return next(impl for impl in DEFECTS if impl.name == name)


# (defect, method, target, headers, the response rules it must break)
DEFECTIVE: list[tuple[str, str, dict[str, str], list[str]]] = [
    ("usage as text/plain", f"{USAGE}?{RANGE}", OWN, ["content-type"]),
    ("omits a channel", f"{USAGE}?{RANGE}", OWN, ["body-schema"]),
    ("counts as strings", f"{USAGE}?{RANGE}", OWN, ["body-schema"]),
    ("no data envelope", f"{USAGE}?{RANGE}", OWN, ["body-schema"]),
    ("401 body lacks message", f"{USAGE}?{RANGE}", {}, ["body-schema"]),
    ("404 as an HTML page", f"/organizations/{MISSING_ORG}/usage?{RANGE}", OWN, ["content-type", "body-not-json"]),
    ("204 when there is no usage", f"{USAGE}?{FAR_FUTURE}", OWN, ["undocumented-status"]),
    ("validation errors are 400", f"{USAGE}?startDate=NaN&endDate=2", OWN, ["undocumented-status"]),
    ("unknown key crashes", f"{USAGE}?{RANGE}", {"X-API-Key": "idt_live_" + "0" * 32}, ["undocumented-status"]),
    ("unknown organization crashes", f"/organizations/{MISSING_ORG}/usage?{RANGE}", OWN, ["undocumented-status"]),
    ("no key lets you in", f"{USAGE}?{RANGE}", {}, ["refusal-accepted"]),
    ("checks only the key prefix", f"{USAGE}?{RANGE}", {"X-API-Key": "idt_live_short"}, ["refusal-accepted"]),
    ("accepts hex dates", f"{USAGE}?startDate=0x1F&endDate=0x2F", OWN, ["refusal-accepted"]),
    ("no end-before-start rule", f"{USAGE}?startDate=5&endDate=4", OWN, ["refusal-accepted"]),
    ("empty date means zero", f"{USAGE}?startDate=&endDate=4", OWN, ["refusal-accepted"]),
    ("takes the first of repeated dates", f"{USAGE}?startDate=1&startDate=2&endDate=4", OWN, ["refusal-accepted"]),
    ("parses the leading digits", f"{USAGE}?startDate=12abc&endDate=13", OWN, ["refusal-accepted"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "target", "headers", "rules"), DEFECTIVE, ids=[row[0] for row in DEFECTIVE]
)  # fmt: skip
def test_each_response_shaped_defect_breaks_its_rule(
    name: str, target: str, headers: dict[str, str], rules: list[str]
) -> None:
    with proxy_app(_defect(name)).test_client() as client:
        found = _violations(client, "GET", target, headers)
    assert [v["rule"] for v in found if v["side"] == "response"] == rules
    assert all(v["pointer"].startswith(OPERATION) for v in found if v["side"] == "response")


def test_a_missing_documented_header(tmp_path: Path) -> None:
    document = yaml.safe_load(SPEC_PATH.read_text())
    ok = document["paths"]["/organizations/{organizationId}/usage"]["get"]["responses"]["200"]
    ok["headers"] = {"X-Request-Id": {"required": True, "schema": {"type": "string"}}}
    spec = tmp_path / "with-header.yaml"
    spec.write_text(yaml.safe_dump(document, sort_keys=False))
    with proxy_app(CORRECT[0], spec).test_client() as client:
        [violation] = _violations(client, "GET", f"{USAGE}?{RANGE}", OWN)
    assert violation == {
        "side": "response",
        "rule": "missing-header",
        "pointer": f"{OPERATION}/responses/200/headers/X-Request-Id",
        "message": "status 200 must carry header X-Request-Id",
    }


def test_the_readmes_sample_entry_is_what_the_proxy_lists() -> None:
    readme = (SPEC_PATH.parent / "README.md").read_text()
    start = readme.index("```json", readme.index("In front of a server that sends its counts as strings"))
    sample = json.loads(readme[start + len("```json") : readme.index("```", start + 7)])
    [documented] = sample["violations"]
    request = f"{documented['path']}?startDate={documented['query']['startDate'][0]}&endDate={documented['query']['endDate'][0]}"
    with proxy_app(_defect("counts as strings")).test_client() as client:
        client.get(request, headers=OWN)
        [listed] = client.get("/__admin/violations").get_json()["violations"]
    varying = ("time", "durationMs")
    assert {k: v for k, v in listed.items() if k not in varying} == {
        k: v for k, v in documented.items() if k not in varying
    }
    assert readme.count(f"-> 200: response body-schema: {documented['violations'][0]['message']}") == 1
