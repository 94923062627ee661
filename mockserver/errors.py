"""Errors in the files the user hands the mock, each naming the file and the place."""

from __future__ import annotations

__all__ = ["DataError", "LoadError", "SpecError", "pointer"]


def pointer(*parts: str | int) -> str:
    """Build a JSON pointer (RFC 6901) from path segments."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class LoadError(Exception):
    """A file that cannot be used, with its name and a JSON pointer to the fault."""

    kind = "file"

    def __init__(self, source: str, location: str, problem: str) -> None:
        self.source = source
        self.location = location
        self.problem = problem
        where = f"{source}#{location}" if location else source
        super().__init__(f"{where}: {problem}")


class SpecError(LoadError):
    """The OpenAPI document cannot be served."""

    kind = "spec"


class DataError(LoadError):
    """The data file of data mode cannot be used."""

    kind = "data file"
