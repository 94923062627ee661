"""Errors in the mock's own files: the data file of data mode (the spec's are shared)."""

from __future__ import annotations

from usage_contract_kit.errors import LoadError

__all__ = ["DataError"]


class DataError(LoadError):
    """The data file of data mode cannot be used."""

    kind = "data file"
