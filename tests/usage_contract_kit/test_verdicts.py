from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SPEC_PATH
from usage_contract_kit import spec as spec_module
from usage_contract_kit.verdicts import FileMemo


def test_remembered_spec_skips_the_validator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    memo = FileMemo(tmp_path / "valid-specs")
    calls: list[str] = []
    real = spec_module.validate_document

    def counting(document: dict[str, object], source: str) -> None:
        calls.append(source)
        real(document, source)

    monkeypatch.setattr(spec_module, "validate_document", counting)
    spec_module.load_spec(SPEC_PATH, memo=memo)
    spec_module.load_spec(SPEC_PATH, memo=memo)
    assert len(calls) == 1
    changed = tmp_path / "spec.yaml"
    changed.write_text(SPEC_PATH.read_text() + "\n# changed\n")
    spec_module.load_spec(changed, memo=memo)
    assert len(calls) == 2


def test_without_a_memo_every_load_validates(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(spec_module, "validate_document", lambda document, source: calls.append(source))
    spec_module.load_spec(SPEC_PATH)
    spec_module.load_spec(SPEC_PATH)
    assert len(calls) == 2


def test_the_default_file_follows_the_cache_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCKSERVER_CACHE_DIR", str(tmp_path))
    FileMemo().remember_valid("abc")
    assert FileMemo().known_valid("abc") is True
    assert (tmp_path / "usage-contract-kit" / "valid-specs").exists()


def test_unwritable_cache_is_ignored(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    memo = FileMemo(blocker / "valid-specs")
    memo.remember_valid("abc")
    assert memo.known_valid("abc") is False
