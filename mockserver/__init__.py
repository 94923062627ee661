"""A Flask mock server driven by an OpenAPI document."""

from mockserver.app import create_app
from mockserver.errors import DataError, LoadError, SpecError

__all__ = ["DataError", "LoadError", "SpecError", "create_app"]
