"""Schemathesis, with every check it has, against the mock in process: it must find nothing."""

from __future__ import annotations

from typing import Any

import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

# Registers the hook that keeps positive cases within the spec's x-cross-parameter-rules,
# so that the documented 422 for "end before start" is not taken for a rejected valid request.
import contract_tests.schemathesis_hooks  # noqa: F401
from mockserver.app import create_app
from tests.conftest import DATA_PATH, KEY, SPEC_PATH

EXAMPLE_APP = create_app(SPEC_PATH, {"MOCK_RELOAD_INTERVAL": 0})
DATA_APP = create_app(SPEC_PATH, {"MOCK_RELOAD_INTERVAL": 0, "MOCK_DATA": str(DATA_PATH)})


def _schema(app: Any, **parameters: Any) -> Any:
    config = SchemathesisConfig(seed=2026)
    project = config.projects.default
    project.update(headers={"X-API-Key": KEY}, parameters=parameters or None)
    project.generation.update(max_examples=40, database="none")
    project.checks.update(included_check_names=["all"])
    schema = schemathesis.openapi.from_dict(yaml.safe_load(SPEC_PATH.read_text()), config=config)
    schema.app = app  # in process: requests go to the WSGI app, no server
    return schema


example_schema = _schema(EXAMPLE_APP)
data_schema = _schema(DATA_APP, **{"path.organizationId": "org_1"})


@example_schema.parametrize()
@settings(suppress_health_check=list(HealthCheck))
def test_example_mode(case: Any) -> None:
    case.call_and_validate()


@data_schema.parametrize()
@settings(suppress_health_check=list(HealthCheck))
def test_data_mode(case: Any) -> None:
    case.call_and_validate()
