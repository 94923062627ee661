"""--lenient: faults that do not stop serving become one warning each; strict stays the default."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from mockserver.app import create_app
from mockserver.cli import main
from tests.server import wait_until

FAULTY: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/things": {
            "get": {
                "strayKey": True,
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["code"],
                                    "properties": {"code": {"type": "string", "pattern": "^(?=x)y$"}},
                                }
                            }
                        },
                    },
                    "400": {
                        "description": "bad",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["message"],
                                    "properties": {"message": {"type": "string"}},
                                },
                                "example": {"message": 5},
                            }
                        },
                    },
                },
            }
        },
        "/fine": {
            "get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"example": {"a": 1}}}}}}
        },
    },
}
WARNINGS = [
    "#/paths/~1things/get: not a valid OpenAPI document: Additional properties are not allowed ('strayKey' was unexpected)",
    "#/paths/~1things/get/responses/400/content/application~1json/example/message: example 'example' does not match its schema: 5 is not of type \"string\"",
    "#/paths/~1things/get/responses/200/content/application~1json/schema: no value valid against this schema could be generated (pattern '^(?=x)y$' could not be matched), and no example is documented",
]


@pytest.fixture
def faulty(tmp_path: Path) -> Path:
    path = tmp_path / "faulty.yaml"
    path.write_text(yaml.safe_dump(FAULTY))
    return path


def test_strict_stops_at_the_first_fault_with_one_line(faulty: Path) -> None:
    result = CliRunner().invoke(main, ["--spec", str(faulty), "--check"])
    assert result.exit_code == 2
    assert result.output == f"error: {faulty}{WARNINGS[0]}\n"


def test_check_lists_every_fault_and_exits_0(faulty: Path) -> None:
    result = CliRunner().invoke(main, ["--spec", str(faulty), "--check", "--lenient"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:3] == [f"warning: {faulty}{w}" for w in WARNINGS]
    assert lines[3] == f"ok: {faulty} (example mode; 3 faults let through by --lenient)"


def test_lenient_serves_what_it_can_and_says_why_where_it_cannot(faulty: Path) -> None:
    client = create_app(faulty, {"MOCK_RELOAD_INTERVAL": 0, "MOCK_LENIENT": True}).test_client()
    assert client.get("/fine").get_json() == {"a": 1}
    response = client.get("/things")
    assert response.status_code == 500
    assert response.get_json() == {
        "error": "InternalServerError",
        "message": "the mock cannot answer this: " + WARNINGS[2].split(": ", 1)[1],
    }
    # The broken example is left out: the documented 400 is generated instead, and validates.
    assert client.get("/things", headers={"Prefer": "code=400"}).get_json() == {"message": "string"}
    # Asked for by name, it is not called undocumented: the answer says why it is not served.
    asked = client.get("/fine", headers={"Prefer": "code=200, example=nothing"}).get_json()["message"]
    assert asked.endswith("example 'nothing' is not documented for status 200 (application/json); documented: example")
    asked = client.get("/things", headers={"Prefer": "code=400, example=example"}).get_json()["message"]
    assert asked.endswith(
        "example 'example' of status 400 (application/json) breaks its schema, so the lenient load left it out"
        " (its warning says where); served instead: none"
    )


@pytest.mark.server  # the reload is checked in a child process
def test_a_reload_says_what_lenient_let_through(faulty: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({**FAULTY, "paths": {"/fine": FAULTY["paths"]["/fine"]}}))
    app = create_app(spec, {"MOCK_RELOAD_INTERVAL": 0.05, "MOCK_LENIENT": True})
    try:
        with caplog.at_level(logging.WARNING, logger="mockserver"):
            spec.write_text(faulty.read_text())
            wait_until(lambda: app.extensions["mockserver"].live.generation == 2, timeout=60, what="the reload")
        assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
            f"{spec}{w}" for w in WARNINGS
        ]
    finally:
        app.extensions["mockserver"].stop()


def _unreadable_schema(version: str) -> dict[str, Any]:
    """A response schema the validator cannot read: its required list names a property twice."""
    schema = {"type": "object", "required": ["name", "name"], "properties": {"name": {"type": "string"}}}
    content = {"application/json": {"schema": schema, "example": {"name": "ada"}}}
    ok = {"responses": {"200": {"description": "ok", "content": content}}}
    return {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": {"/people": {"get": ok}}}


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_a_schema_the_validator_cannot_read_is_left_unchecked_when_lenient(version: str, tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(_unreadable_schema(version)))
    strict = CliRunner().invoke(main, ["--spec", str(path), "--check"])
    assert strict.exit_code == 2  # refused: the document's own check (OpenAPI's schema) finds it first
    assert "error: " in strict.output
    lenient = CliRunner().invoke(main, ["--spec", str(path), "--check", "--lenient"])
    assert lenient.exit_code == 0, lenient.output
    assert "not a valid schema" in lenient.output
    assert "values there are not checked" in lenient.output
    client = create_app(path, {"MOCK_RELOAD_INTERVAL": 0, "MOCK_LENIENT": True}).test_client()
    assert client.get("/people").get_json() == {"name": "ada"}
