"""usage-contract-kit: the organization-usage contract and the tools it drives.

This package holds what the mock (:mod:`mockserver`) and the contract suite
(:mod:`contract_tests`) share: the one reader of the contract (:mod:`.spec`, with
:mod:`.model`, :mod:`.refs`, :mod:`.schemas`, :mod:`.documents`) and the contract itself,
shipped inside the package (:mod:`.packaged`). It imports neither of them.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"  # the one place of the kit's version (pyproject.toml reads it)
