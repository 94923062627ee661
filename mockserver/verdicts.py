"""Remember which spec texts openapi-spec-validator passed, so restarts skip it.

A small file under the user's cache directory (``$XDG_CACHE_HOME`` or ``~/.cache``, or
``MOCKSERVER_CACHE_DIR``) holds the SHA-256 digests of spec texts that validated, with the
validator's version; a changed spec, or another validator version, is validated again.
Only successes are remembered, and a cache that cannot be read or written is ignored.
"""

from __future__ import annotations

import os
from importlib import metadata
from pathlib import Path

__all__ = ["known_valid", "remember_valid"]

_KEEP = 200


def _file() -> Path:
    base = os.environ.get("MOCKSERVER_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "usage-contract-kit" / "valid-specs"


def _key(digest: str) -> str:
    try:
        version = metadata.version("openapi-spec-validator")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return f"{digest} openapi-spec-validator=={version}"


def known_valid(digest: str) -> bool:
    try:
        return _key(digest) in _file().read_text(encoding="utf-8").splitlines()
    except OSError:
        return False


def remember_valid(digest: str) -> None:
    path = _file()
    try:
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        kept = [line for line in lines if line != _key(digest)][-(_KEEP - 1) :]
        lines = [*kept, _key(digest)]
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}")
        temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass  # a read-only home only costs the validation time at the next start
