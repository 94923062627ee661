"""Remember which spec texts openapi-spec-validator passed, so restarts skip it.

A small file under the user's cache directory (``$XDG_CACHE_HOME`` or ``~/.cache``, or
``MOCKSERVER_CACHE_DIR``) holds the SHA-256 digests of spec texts that validated, with the
validator's version; a changed spec, or another validator version, is validated again.
Only successes are remembered, and a cache that cannot be read or written is ignored.

This is the commands' choice, not the reader's: :func:`usage_contract_kit.spec.load_spec`
takes a :class:`FileMemo` (or any ``ValidityMemo``) and otherwise always validates.
"""

from __future__ import annotations

import os
from importlib import metadata
from pathlib import Path

__all__ = ["FileMemo"]

_KEEP = 200


class FileMemo:
    """Digests of validated spec texts, kept in one file of the user's cache directory."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or _default_file()

    def known_valid(self, digest: str) -> bool:
        try:
            return _key(digest) in self.path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return False

    def remember_valid(self, digest: str) -> None:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines() if self.path.exists() else []
            kept = [line for line in lines if line != _key(digest)][-(_KEEP - 1) :]
            lines = [*kept, _key(digest)]
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(f".{os.getpid()}")
            temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
            temporary.replace(self.path)
        except OSError:
            pass  # a read-only home only costs the validation time at the next start


def _default_file() -> Path:
    base = os.environ.get("MOCKSERVER_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "usage-contract-kit" / "valid-specs"


def _key(digest: str) -> str:
    try:
        version = metadata.version("openapi-spec-validator")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return f"{digest} openapi-spec-validator=={version}"
