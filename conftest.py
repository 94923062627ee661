"""Root conftest of the project's own tests (`make test`).

The contract suite has its own settings in ``contract_tests/pytest.ini``, which loads its
plugin once; here only pytester is registered, to test that plugin.
"""

pytest_plugins = ["pytester"]
