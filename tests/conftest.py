"""Small shared fixtures: the project's spec and data file, and mock apps built from them."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockserver.app import create_app
from usage_contract_kit.model import Spec
from usage_contract_kit.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "openapi.yaml"
DATA_PATH = ROOT / "data" / "sample-usage.yaml"
KEY = "idt_live_acmeFrontend00000000000000000001"  # reads org_1 and org_2 in the sample data
OTHER_KEY = "idt_live_globexDashboard00000000000000002"  # reads org_3 only
USAGE = "/organizations/org_1/usage"


_CACHE_KEY = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    # The mock remembers validated specs in the user's cache; tests use a cache of their own,
    # removed when the run ends (each xdist worker makes and removes its own).
    config.stash[_CACHE_KEY] = os.environ["MOCKSERVER_CACHE_DIR"] = tempfile.mkdtemp(prefix="mockserver-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    made = config.stash.get(_CACHE_KEY, None)
    if made is not None:
        shutil.rmtree(made, ignore_errors=True)


@pytest.fixture(scope="session")
def spec() -> Spec:
    return load_spec(SPEC_PATH)


@pytest.fixture
def make_app() -> Callable[..., Flask]:
    """Build a mock app; keyword arguments become ``MOCK_*`` config overrides."""

    def factory(spec_path: Path = SPEC_PATH, **config: Any) -> Flask:
        settings = {"MOCK_RELOAD_INTERVAL": 0, **{f"MOCK_{k.upper()}": v for k, v in config.items()}}
        return create_app(spec_path, settings)

    return factory


@pytest.fixture
def client(make_app: Callable[..., Flask]) -> Iterator[FlaskClient]:
    with make_app().test_client() as test_client:
        yield test_client


@pytest.fixture
def data_client(make_app: Callable[..., Flask]) -> Iterator[FlaskClient]:
    with make_app(data=str(DATA_PATH)).test_client() as test_client:
        yield test_client
