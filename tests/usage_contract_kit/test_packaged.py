"""What the package ships is the repository's files, byte for byte, and the version line says which."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mockserver.cli import DEMO_KEYS, DEMO_USAGE
from tests.conftest import ROOT, SPEC_PATH
from usage_contract_kit import __version__
from usage_contract_kit.packaged import CONTRACT, contract_version, version_text


@pytest.mark.parametrize(
    ("shipped", "source"),
    [
        (CONTRACT, SPEC_PATH),
        (DEMO_KEYS, ROOT / "data" / "sample-keys.yaml"),
        (DEMO_USAGE, ROOT / "data" / "sample-usage.csv"),
    ],
    ids=["contract", "demo keys", "demo usage"],
)
def test_the_shipped_file_is_the_repository_file(shipped: Path, source: Path) -> None:
    assert shipped.read_bytes() == source.read_bytes()
    # One file, not two copies that can drift: in the source tree the shipped name links to the source.
    assert shipped.is_symlink()
    assert shipped.resolve() == source.resolve()


def test_version_text_names_the_kit_and_the_contract() -> None:
    info = yaml.safe_load(SPEC_PATH.read_text())["info"]
    assert contract_version() == f"{info['title']} {info['version']}"
    assert version_text("tool") == f"tool (usage-contract-kit) {__version__}, contract: {contract_version()}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("openapi: 3.0.3\ninfo: {title: T, version: 2.1.0}\n", "T 2.1.0"),
        ("openapi: 3.0.3\n", "without info"),
        ("openapi: 3.0.3\ninfo: {title: T}\n", "T (no version)"),
        ("[unclosed\n", "unreadable"),
    ],
    ids=["both", "no info", "no version", "not YAML"],
)
def test_contract_version_of_any_document(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    assert contract_version(path).startswith(expected)


def test_the_project_version_is_the_package_version() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "usage_contract_kit.__version__"}


def test_the_installed_metadata_has_the_package_version() -> None:
    from importlib.metadata import version

    assert version("usage-contract-kit") == __version__
