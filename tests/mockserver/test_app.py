"""Mock behaviours through Flask's test client, one table per behaviour."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import DATA_PATH, KEY, OTHER_KEY, SPEC_PATH, USAGE
from usage_contract_kit.errors import SpecError

Q = "?startDate=1735689600000&endDate=1738367999999"  # January 2025, UTC
H = {"X-API-Key": "idt_live_anything"}

EXAMPLE_MODE = [
    (
        "valid request",
        USAGE + Q,
        H,
        200,
        {"data": {"usageSms": 1, "usageWhatsapp": 1, "usageEmail": 1, "usageSage": 1}},
    ),
    ("any key of the documented prefix", USAGE + Q, {"X-API-Key": "idt_live_..."}, 200, None),
    ("implausible key", USAGE + Q, {"X-API-Key": "SCHEMATHESIS-INVALID-VALUE"}, 401, None),
    (
        "no key",
        USAGE + Q,
        {},
        401,
        {"error": "Unauthenticated", "message": "credentials are required: send header X-API-Key"},
    ),
    ("empty key", USAGE + Q, {"X-API-Key": ""}, 401, None),
    (
        "missing startDate",
        USAGE + "?endDate=1",
        H,
        422,
        {"error": "ValidationError", "message": "query parameter 'startDate' is required"},
    ),
    (
        "NaN",
        USAGE + "?startDate=NaN&endDate=1",
        H,
        422,
        {"error": "ValidationError", "message": "query parameter 'startDate': 'NaN' is not a number"},
    ),
    ("end before start", USAGE + "?startDate=5&endDate=4", H, 422, None),
    (
        "code",
        USAGE + Q,
        {**H, "Prefer": "code=404"},
        404,
        {"error": "ResourceNotFound", "message": "The requested resource could not be found."},
    ),
    ("code without key", USAGE, {"Prefer": "code=200"}, 200, None),
    (
        "code and example",
        USAGE + Q,
        {"Prefer": "code=403, example=fromSchema"},
        403,
        {"error": "string", "message": "string"},
    ),
    (
        "example",
        USAGE + Q,
        {**H, "Prefer": "example=fromSchema"},
        200,
        {"data": {"usageSms": 0, "usageWhatsapp": 0, "usageEmail": 0, "usageSage": 0}},
    ),
    ("__code", USAGE + Q + "&__code=401", {}, 401, None),
    (
        "__example",
        USAGE + Q + "&__example=fromSchema",
        H,
        200,
        {"data": {"usageSms": 0, "usageWhatsapp": 0, "usageEmail": 0, "usageSage": 0}},
    ),
    ("undocumented code", USAGE + Q, {**H, "Prefer": "code=418"}, 422, None),
    ("unknown example", USAGE + Q, {**H, "Prefer": "example=nope"}, 422, None),
    ("bad preference", USAGE + Q, {**H, "Prefer": "delay=soon"}, 422, None),
    ("unknown preference ignored", USAGE + Q, {**H, "Prefer": "return=minimal"}, 200, None),
    ("unknown path", "/nope", H, 404, None),
]


@pytest.mark.parametrize(("name", "url", "headers", "status", "body"), EXAMPLE_MODE, ids=[c[0] for c in EXAMPLE_MODE])
def test_example_mode(
    client: FlaskClient, name: str, url: str, headers: dict[str, str], status: int, body: Any
) -> None:
    response = client.get(url, headers=headers)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    if body is not None:
        assert response.get_json() == body


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("?startDate=NaN&endDate=1", "'startDate'"),
        ("?startDate=1&endDate=0x1F", "'endDate'"),
        ("?startDate=1&startDate=2&endDate=3", "once, not 2 times"),
        ("?startDate=5&endDate=4", "endDate must not be earlier than startDate"),
        ("?startDate=1", "'endDate' is required"),
    ],
)
def test_validation_message_names_parameter(client: FlaskClient, query: str, fragment: str) -> None:
    response = client.get(USAGE + query, headers=H)
    assert response.status_code == 422
    assert response.get_json()["error"] == "ValidationError"
    assert fragment in response.get_json()["message"]


def test_dynamic_is_valid_and_reproducible(client: FlaskClient) -> None:
    first = client.get(USAGE + Q, headers={**H, "Prefer": "dynamic=true, seed=42"}).get_json()
    again = client.get(USAGE + Q + "&__dynamic=true&__seed=42", headers=H).get_json()
    other = client.get(USAGE + Q, headers={**H, "Prefer": "dynamic=true, seed=43"}).get_json()
    assert first == again
    assert first != other
    assert set(first["data"]) == {"usageSms", "usageWhatsapp", "usageEmail", "usageSage"}


def test_delay(client: FlaskClient) -> None:
    started = time.perf_counter()
    assert client.get(USAGE + Q, headers={**H, "Prefer": "delay=120"}).status_code == 200
    assert time.perf_counter() - started >= 0.12


def test_configured_latency(make_app: Callable[..., Flask]) -> None:
    client = make_app(latency="80-90").test_client()
    started = time.perf_counter()
    client.get(USAGE + Q, headers=H)
    assert time.perf_counter() - started >= 0.08


def test_method_not_allowed(client: FlaskClient) -> None:
    for method in ("POST", "DELETE", "PROPFIND"):
        response = client.open(USAGE, method=method)
        assert response.status_code == 405
        assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
        assert response.get_json()["error"] == "MethodNotAllowed"


def test_head_has_no_body(client: FlaskClient) -> None:
    response = client.head(USAGE + Q, headers=H)
    assert response.status_code == 200
    assert response.data == b""


DATA_MODE = [
    ("own organization", "/organizations/org_1/usage" + Q, KEY, 200),
    ("second own organization", "/organizations/org_2/usage" + Q, KEY, 200),
    ("other tenant", "/organizations/org_3/usage" + Q, KEY, 403),
    ("other key, other tenant", "/organizations/org_1/usage" + Q, OTHER_KEY, 403),
    ("unknown organization", "/organizations/org_404/usage" + Q, KEY, 404),
    ("no key", "/organizations/org_1/usage" + Q, None, 401),
    ("malformed key", "/organizations/org_1/usage" + Q, "idt_live_short", 401),
    ("wrong prefix", "/organizations/org_1/usage" + Q, "idt_test_" + KEY[9:], 401),
    ("unknown key", "/organizations/org_1/usage" + Q, "idt_live_" + "Z" * 32, 401),
    ("bad dates", "/organizations/org_1/usage?startDate=2&endDate=1", KEY, 422),
    ("auth before validation", "/organizations/org_1/usage?startDate=x", "idt_live_short", 401),
    ("validation before resource", "/organizations/org_404/usage?startDate=x&endDate=1", KEY, 422),
]


@pytest.mark.parametrize(("name", "url", "key", "status"), DATA_MODE, ids=[c[0] for c in DATA_MODE])
def test_data_mode(data_client: FlaskClient, name: str, url: str, key: str | None, status: int) -> None:
    response = data_client.get(url, headers={"X-API-Key": key} if key else {})
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert set(body) == ({"data"} if status == 200 else {"error", "message"})


def test_data_mode_sums_the_sample_data(data_client: FlaskClient) -> None:
    raw = yaml.safe_load(DATA_PATH.read_text())
    usage = raw["organizations"][0]["usage"]
    expected = {
        c: sum(day[c] for date, day in usage.items() if str(date).startswith("2025-01"))
        for c in ("usageSms", "usageEmail")
    }
    body = data_client.get(USAGE + Q, headers={"X-API-Key": KEY}).get_json()["data"]
    assert {c: body[c] for c in expected} == expected
    assert all(isinstance(v, int) and v > 0 for v in body.values())


def test_data_mode_prefer_still_works(data_client: FlaskClient) -> None:
    response = data_client.get(USAGE + Q, headers={"X-API-Key": KEY, "Prefer": "example=fromSchema"})
    assert response.get_json()["data"]["usageSms"] == 0
    assert data_client.get(USAGE + Q, headers={"Prefer": "code=403"}).status_code == 403


def test_journal_records_and_redacts(client: FlaskClient) -> None:
    client.delete("/__admin/requests")
    client.get(USAGE + Q, headers={"X-API-Key": KEY})
    client.get(USAGE + Q, headers={"Prefer": "code=404, example=fromSchema"})
    entries = client.get("/__admin/requests").get_json()["requests"]
    assert [(e["status"], e["example"]) for e in entries] == [(200, "default"), (404, "fromSchema")]
    assert entries[0]["credentials"] == {"x-api-key": "idt_live_***"}
    assert entries[0]["query"] == {"startDate": ["1735689600000"], "endDate": ["1738367999999"]}
    assert KEY not in client.get("/__admin/requests").get_data(as_text=True)
    assert client.delete("/__admin/requests").get_json() == {"cleared": 2}
    assert client.get("/__admin/requests").get_json()["requests"] == []


def test_journal_is_bounded(make_app: Callable[..., Flask]) -> None:
    client = make_app(journal_size=3).test_client()
    for _ in range(5):
        client.get(USAGE + Q, headers=H)
    assert len(client.get("/__admin/requests").get_json()["requests"]) == 3


def test_health(client: FlaskClient) -> None:
    body = client.get("/__admin/health").get_json()
    assert body["status"] == "ok"
    assert body["mode"] == "example"
    assert body["operations"] == ["GET /organizations/{organizationId}/usage"]


def test_admin_token(make_app: Callable[..., Flask]) -> None:
    client = make_app(admin_token="s3cret").test_client()
    assert client.get("/__admin/health").status_code == 401
    assert client.get("/__admin/health", headers={"X-Admin-Token": "s3cret"}).status_code == 200


def test_admin_off(make_app: Callable[..., Flask]) -> None:
    client = make_app(admin_enabled=False).test_client()
    assert client.get("/__admin/requests").status_code == 404


def test_admin_paths_cannot_collide(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    document = yaml.safe_load(SPEC_PATH.read_text())
    document["paths"]["/__admin/requests"] = {"get": {"security": [], "responses": {"200": {"description": "ok"}}}}
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(SpecError, match="collides with the mock's admin endpoints"):
        make_app(path)


def test_cors_preflight_and_error_bodies(client: FlaskClient) -> None:
    preflight = client.options(
        USAGE,
        headers={
            "Origin": "http://app.test",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-api-key",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert preflight.headers["Access-Control-Allow-Origin"] in ("*", "http://app.test")
    assert "x-api-key" in preflight.headers["Access-Control-Allow-Headers"].lower()
    error = client.get(USAGE + Q, headers={"Origin": "http://app.test"})
    assert error.status_code == 401
    assert error.headers["Access-Control-Allow-Origin"] in ("*", "http://app.test")


@pytest.mark.parametrize("origins", [None, "http://app.test"], ids=["any origin", "a list"])
def test_a_preflight_to_an_unknown_path_lets_the_page_read_the_404(
    make_app: Callable[..., Flask], origins: str | None
) -> None:
    client = make_app(**({"cors_origins": origins} if origins else {})).test_client()
    asking = {"Origin": "http://app.test", "Access-Control-Request-Method": "GET"}
    preflight = client.options("/nothing/here", headers={**asking, "Access-Control-Request-Headers": "x-api-key"})
    assert preflight.status_code == 204
    assert all(value.strip() for _, value in preflight.headers.items()), list(preflight.headers.items())
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET"
    assert "Allow" not in preflight.headers  # the path answers no method
    answer = client.get("/nothing/here", headers={"Origin": "http://app.test"})
    assert answer.status_code == 404
    assert answer.headers["Access-Control-Allow-Origin"] == ("http://app.test" if origins else "*")
    # An origin not allowed gets no CORS headers at all, empty ones neither.
    refused = client.options("/nothing/here", headers={**asking, "Origin": "http://other.test"})
    assert [n for n, _ in refused.headers.items() if n.lower().startswith("access-control-")] == ([] if origins else [
        "Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Max-Age"
    ])  # fmt: skip


def test_cors_origins_are_configurable(make_app: Callable[..., Flask]) -> None:
    client = make_app(cors_origins="http://allowed.test").test_client()
    assert (
        client.get(USAGE + Q, headers={**H, "Origin": "http://allowed.test"}).headers["Access-Control-Allow-Origin"]
        == "http://allowed.test"
    )
    other = client.get(USAGE + Q, headers={**H, "Origin": "http://evil.test"})
    assert "Access-Control-Allow-Origin" not in other.headers
    # The answer depends on the origin: every answer says so, to the other origin and without one too.
    for headers in ({**H, "Origin": "http://allowed.test"}, {**H, "Origin": "http://evil.test"}, H, {}):
        assert client.get(USAGE + Q, headers=headers).headers.get("Vary") == "Origin", headers


def test_answers_to_any_origin_do_not_vary(client: FlaskClient) -> None:
    for headers in ({**H, "Origin": "http://app.test"}, H):
        assert "Vary" not in client.get(USAGE + Q, headers=headers).headers


def _replace(path: Path, text: str) -> None:
    """Write ``text`` as an editor saving the file would: the reloader never sees half of it."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text)
    temporary.replace(path)


def _wait_for(client: FlaskClient, generation: int, *, error: bool = False) -> dict[str, Any]:
    """Health once the reloader (a background thread) has published ``generation``."""
    deadline = time.monotonic() + 60
    while True:
        health: dict[str, Any] = client.get("/__admin/health").get_json()
        if health["generation"] == generation and (health["lastReloadError"] is not None) == error:
            return health
        assert time.monotonic() < deadline, health
        time.sleep(0.05)


def test_reload_picks_up_changes_and_keeps_last_good(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    document = yaml.safe_load(SPEC_PATH.read_text())
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(document))
    app = make_app(path, reload_interval=0.05)
    client = app.test_client()
    try:
        assert client.get(USAGE + Q, headers=H).get_json()["data"]["usageSms"] == 1

        media = document["paths"]["/organizations/{organizationId}/usage"]["get"]["responses"]["200"]["content"][
            "application/json"
        ]
        media["examples"]["default"]["value"]["data"]["usageSms"] = 77
        _replace(path, yaml.safe_dump(document))
        assert _wait_for(client, 2)["status"] == "ok"
        assert client.get(USAGE + Q, headers=H).get_json()["data"]["usageSms"] == 77

        media["examples"]["default"]["value"]["data"]["usageSms"] = "broken"
        _replace(path, yaml.safe_dump(document) + "\n# broken\n")
        health = _wait_for(client, 2, error=True)
        assert health["status"] == "degraded"
        assert "usageSms" in health["lastReloadError"]
        assert client.get(USAGE + Q, headers=H).get_json()["data"]["usageSms"] == 77
    finally:
        app.extensions["mockserver"].stop()


def test_data_file_reload(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    data = tmp_path / "data.yaml"
    key = "idt_live_" + "k" * 32
    data.write_text(f"apiKeys: [{{key: {key}, organizations: [o1]}}]\norganizations: [{{id: o1}}]\n")
    app = make_app(data=str(data), reload_interval=0.05)
    client = app.test_client()
    try:
        assert client.get("/organizations/o2/usage" + Q, headers={"X-API-Key": key}).status_code == 404
        data.write_text(
            f"apiKeys: [{{key: {key}, organizations: [o1, o2]}}]\norganizations: [{{id: o1}}, {{id: o2}}]\n"
        )
        _wait_for(client, 2)
        assert client.get("/organizations/o2/usage" + Q, headers={"X-API-Key": key}).status_code == 200
    finally:
        app.extensions["mockserver"].stop()
