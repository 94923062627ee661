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
