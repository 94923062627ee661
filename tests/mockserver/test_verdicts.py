from __future__ import annotations

from pathlib import Path

import pytest

from mockserver import spec as spec_module
from mockserver import verdicts
from tests.conftest import SPEC_PATH


def test_remembered_spec_skips_the_validator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCKSERVER_CACHE_DIR", str(tmp_path))
    calls: list[str] = []
    real = spec_module._validate_document

    def counting(document: dict[str, object], source: str) -> None:
        calls.append(source)
        real(document, source)

    monkeypatch.setattr(spec_module, "_validate_document", counting)
    spec_module.load_spec(SPEC_PATH)
    spec_module.load_spec(SPEC_PATH)
    assert len(calls) == 1
    changed = tmp_path / "spec.yaml"
    changed.write_text(SPEC_PATH.read_text() + "\n# changed\n")
    spec_module.load_spec(changed)
    assert len(calls) == 2


def test_unwritable_cache_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("MOCKSERVER_CACHE_DIR", str(blocker))
    verdicts.remember_valid("abc")
    assert verdicts.known_valid("abc") is False
