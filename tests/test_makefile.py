"""`make help` lists every target with one line; the README documents every variable the Makefile takes;
the virtual environment is reinstalled when the lock file or pyproject.toml changes."""

from __future__ import annotations

import re
import subprocess

from tests.conftest import ROOT

MAKEFILE = (ROOT / "Makefile").read_text()
README = (ROOT / "README.md").read_text()
TARGETS = sorted(set(re.findall(r"^([a-z][a-z0-9-]*):", MAKEFILE, re.MULTILINE)))


def test_help_lists_every_target_with_one_line() -> None:
    result = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    listed = dict(re.findall(r"^  (\S+)\s+(.+)$", result.stdout, re.MULTILINE))
    assert sorted(listed) == TARGETS
    assert all(len(text) > 10 for text in listed.values())
    assert len(result.stdout.splitlines()) == len(TARGETS)


def test_every_target_is_phony() -> None:
    phony = set(re.search(r"^\.PHONY: (.+)$", MAKEFILE, re.MULTILINE).group(1).split())  # type: ignore[union-attr]
    assert phony == set(TARGETS)


def test_readme_documents_every_variable() -> None:
    defaults = set(re.findall(r"^([A-Z_]+) \?=", MAKEFILE, re.MULTILINE))
    given = set(re.findall(r"\$\((BASE_URL|TARGETS|REV)\)", MAKEFILE))
    assert {"HOST", "PORT", "SPEC", "DATA"} <= defaults
    for name in sorted(defaults | given):
        assert re.search(rf"^\| `{name}` \|", README, re.MULTILINE), f"README: no row for {name}"


def test_the_environment_is_reinstalled_when_the_lock_or_the_project_changes() -> None:
    assert re.search(r"^\$\(STAMP\): pyproject\.toml \$\(LOCK_DEV\)$", MAKEFILE, re.MULTILINE)
    assert "LOCK_DEV := $(LOCKS)/dev.txt" in MAKEFILE
    assert "pip install --quiet -r $(LOCK_DEV)" in MAKEFILE
    assert "pip install --quiet --no-deps -e ." in MAKEFILE
