"""The layers ARCHITECTURE.md draws hold at import time too (lint-imports proves them statically)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import yaml

from tests.conftest import ROOT

_PROBE = "import importlib, json, sys; importlib.import_module(sys.argv[1]); print(json.dumps(sorted(sys.modules)))"


def _loaded_by(module: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, module], capture_output=True, text=True, check=True, cwd=ROOT, timeout=60
    )
    return {name.split(".")[0] for name in json.loads(result.stdout)}


@pytest.mark.parametrize(
    ("module", "absent"),
    [
        ("mockserver", {"flask", "werkzeug", "granian"}),
        ("mockserver.core.engine", {"flask", "werkzeug", "granian", "click"}),
        ("usage_contract_kit.spec", {"flask", "werkzeug", "mockserver", "contract_tests", "requests", "pytest"}),
        ("contract_tests.core.checks", {"requests", "pytest", "hypothesis", "schemathesis", "mockserver"}),
        ("contract_tests.diff.documents", {"requests", "pytest", "hypothesis", "schemathesis", "mockserver"}),
    ],
)
def test_importing_a_layer_leaves_the_ones_above_unloaded(module: str, absent: set[str]) -> None:
    assert _loaded_by(module) & absent == set()


def _recipe(target: str) -> list[str]:
    text = (ROOT / "Makefile").read_text()
    found = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", text, re.MULTILINE)
    assert found, target
    return [line.strip().replace("$(BIN)/", ".venv/bin/") for line in found.group(1).splitlines()]


def test_pre_commit_runs_what_make_lint_and_types_run() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    entries = {hook["entry"].replace(" --force-exclude", "") for hook in hooks}
    recipes = {line.removesuffix(" .") for line in _recipe("lint") + _recipe("types")}
    assert entries == recipes


def _contracts_text() -> str:
    text = (ROOT / "pyproject.toml").read_text()
    return text[text.index("[tool.importlinter]") :]


@pytest.mark.parametrize("package", ["mockserver", "contract_tests"])
def test_every_shell_module_has_its_place_in_the_import_contracts(package: str) -> None:
    """A new module must be placed in the layers (pyproject.toml), so the rules keep covering the whole package."""
    contracts = _contracts_text()
    exempt = {"__init__", "__main__", "errors", "memory", "settings", "journal", "reload_status", "snapshots"}
    modules = {
        path.stem
        for path in (ROOT / package).glob("*.py")
        if path.stem not in exempt and not path.stem.startswith("test_")
    }
    unplaced = sorted(m for m in modules if not re.search(rf"\b{package}\.{m}\b", contracts))
    assert not unplaced
