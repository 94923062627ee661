"""The ``mockserver`` command's entry point (``python -m mockserver`` too): see :mod:`usage_contract_kit.launching`."""

from __future__ import annotations

from usage_contract_kit.launching import launch


def run(prog_name: str | None = None) -> None:
    """Run ``mockserver``'s command line; a Ctrl-C while it is imported ends it with ``Aborted!``."""
    launch("mockserver.cli", prog_name)
