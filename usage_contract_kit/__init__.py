"""usage-contract-kit: the organization-usage contract and the tools it drives.

This package holds what the mock (:mod:`mockserver`) and the contract suite
(:mod:`contract_tests`) share: the one reader of the contract (:mod:`.spec`, with
:mod:`.model`, :mod:`.refs`, :mod:`.schemas`, :mod:`.documents`). It imports neither of
them.
"""
