"""The ``usage-contract`` command's entry point: see :mod:`usage_contract_kit.launching`."""

from __future__ import annotations

from usage_contract_kit.launching import launch


def run() -> None:
    """Run ``usage-contract``'s command line; a Ctrl-C while it is imported ends it with ``Aborted!``."""
    launch("contract_tests.cli")
