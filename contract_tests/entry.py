"""The suite's pytest plugin as every pytest run of an environment with the kit loads it
(the ``pytest11`` entry point): the ``--contract-*`` options, and whether this run is the
suite.

It stays inert (no fixtures, no hooks, no settings read, nothing heavy imported) unless
the suite is what runs: a ``--contract-*`` option is given, or the suite's own test
files are among the paths (``pytest .../contract_tests``, ``pytest --pyargs
contract_tests``). Then it registers :mod:`contract_tests.plugin`, once, and a run
given no path (``pytest --contract-base-url URL``) runs the installed suite. Otherwise
the suite's files are not collected, so a run of other tests never meets them.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from contract_tests.core.variables import NAME, SETTINGS

__all__ = ["PLUGIN", "SUITE", "is_suite_run"]

SUITE = Path(__file__).resolve().parent
PLUGIN = "contract_tests.plugin"
_EXTRA = {
    "report_dir": ("--contract-report-dir", "where to write conformance.{md,json,html} (default: reports)"),
    NAME.name: (NAME.option, f"{NAME.meaning} (or {NAME.variable})"),
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "usage-contract-kit: the contract suite and the implementation under test")
    for setting in SETTINGS:
        dest = f"contract_{setting.name}"
        if setting.flag:
            group.addoption(
                setting.option, dest=dest, action="store_true", help=f"{setting.meaning} ({setting.variable})"
            )
        else:
            group.addoption(setting.option, dest=dest, default=None, help=f"{setting.meaning} (or {setting.variable})")
    for name, (option, text) in _EXTRA.items():
        group.addoption(option, dest=f"contract_{name}", default=None, help=text)


def _within_suite(config: pytest.Config, arg: str) -> bool:
    where = arg.split("::", 1)[0]
    if config.getoption("pyargs", False) and (where == "contract_tests" or where.startswith("contract_tests.")):
        return True
    path = (config.invocation_params.dir / where).resolve()
    return path == SUITE or SUITE in path.parents


def _options_given(config: pytest.Config) -> bool:
    dests = [f"contract_{s.name}" for s in SETTINGS] + [f"contract_{name}" for name in _EXTRA]
    return any(config.getoption(dest) not in (None, False) for dest in dests)


def is_suite_run(config: pytest.Config) -> bool:
    """Whether this pytest run is the contract suite (see the module's docstring)."""
    return _options_given(config) or any(_within_suite(config, arg) for arg in config.args)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not is_suite_run(config):
        return
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        config.args = [str(SUITE)]  # no path given: the installed suite is what runs
    if config.pluginmanager.has_plugin(PLUGIN):  # registered once, even if `-p contract_tests.plugin` came first
        return
    try:
        plugin = _load_plugin()
    except ImportError as exc:  # the kit without its [suite] extra
        raise pytest.UsageError(
            f"contract suite: {exc.name or exc} is not installed; install the suite with: "
            "pip install 'usage-contract-kit[suite]'"
        ) from None
    config.pluginmanager.register(plugin, PLUGIN)


def _load_plugin() -> object:
    return importlib.import_module(PLUGIN)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if not config.pluginmanager.has_plugin(PLUGIN) and (collection_path == SUITE or SUITE in collection_path.parents):
        return True  # another project's run, or this repository's own tests: the suite is not part of it
    return None
