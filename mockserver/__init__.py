"""A mock server driven by an OpenAPI document.

``mockserver.core`` is the pure pipeline (no web framework); the Flask app is built by
:func:`create_app`, which is imported only when it is first asked for, so that importing
the package (or its core) does not load Flask and Werkzeug.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver.errors import DataError
from usage_contract_kit.errors import LoadError, SpecError

if TYPE_CHECKING:
    from mockserver.app import create_app

__all__ = ["DataError", "LoadError", "SpecError", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from mockserver.app import create_app

        return create_app
    raise AttributeError(f"module 'mockserver' has no attribute {name!r}")
