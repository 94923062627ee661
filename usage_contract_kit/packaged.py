"""What the installed kit ships: the contract (the default spec of both commands) and its
version line.

``openapi.yaml`` inside this package is the repository's ``openapi.yaml`` (a symbolic
link in the source tree, a copy of the same bytes in a wheel), so there is one file to
edit; ``tests/usage_contract_kit/test_packaged.py`` checks the two are the same.
"""

from __future__ import annotations

from pathlib import Path

from usage_contract_kit import __version__
from usage_contract_kit.documents import read_yaml
from usage_contract_kit.errors import LoadError
from usage_contract_kit.spec import MAX_SPEC_BYTES

__all__ = ["CONTRACT", "contract_version", "version_text"]

CONTRACT = Path(__file__).resolve().parent / "openapi.yaml"


def contract_version(path: Path = CONTRACT) -> str:
    """``"<info.title> <info.version>"`` of a contract, or why it cannot be read."""
    try:
        document = read_yaml(
            path, source=str(path), max_bytes=MAX_SPEC_BYTES, limit_name="MOCK_MAX_SPEC_MB", error=LoadError
        )
    except LoadError as exc:
        return f"unreadable ({exc})"
    info = document.value.get("info") if isinstance(document.value, dict) else None
    if not isinstance(info, dict):
        return "without info"
    return f"{info.get('title', 'untitled')} {info.get('version', '(no version)')}"


def version_text(command: str) -> str:
    """What ``--version`` prints: the command, the kit's version and the packaged contract's."""
    return f"{command} (usage-contract-kit) {__version__}, contract: {contract_version()}"
