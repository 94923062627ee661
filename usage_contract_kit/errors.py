"""Errors in the files the user hands the kit, each naming the file and the place."""

from __future__ import annotations

from usage_contract_kit.pointers import pointer

__all__ = ["Faults", "LoadError", "SpecError", "pointer"]


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
    """The OpenAPI document cannot be used."""

    kind = "spec"


class Faults:
    """Faults that do not stop serving: raised when strict, one warning each when lenient."""

    def __init__(self, source: str, *, lenient: bool) -> None:
        self.source = source
        self.lenient = lenient
        self.warnings: list[str] = []

    def report(self, location: str, problem: str) -> None:
        if not self.lenient:
            raise SpecError(self.source, location, problem)
        self.warnings.append(str(SpecError(self.source, location, problem)))
