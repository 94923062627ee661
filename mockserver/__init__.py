"""A mock server driven by an OpenAPI document.

:mod:`mockserver.core` is the pure pipeline (no web framework); :mod:`mockserver.app`
builds the Flask app (``from mockserver.app import create_app``), so importing the package
or its core does not load Flask and Werkzeug.
"""

from __future__ import annotations

from mockserver.errors import DataError
from usage_contract_kit.errors import LoadError, SpecError

__all__ = ["DataError", "LoadError", "SpecError"]
