"""The kit's commands start here: Ctrl-C while a command is still being imported ends it with one line.

A command line takes a tenth of a second or more to import (click, YAML, the packaged
contract); a Ctrl-C in that time would end in a traceback, before click, which says
``Aborted!`` for a Ctrl-C once the command runs, could catch it. :func:`launch` imports
the command inside a guard that says the same.
"""

from __future__ import annotations

import importlib
import os
import site
import sys
from pathlib import Path

__all__ = ["ABORTED_EXIT", "child_command", "child_environment", "launch"]

ABORTED_EXIT = 1  # click's exit status for an abort (Ctrl-C) once a command runs
_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)


def launch(module: str, prog_name: str | None = None) -> None:
    """Import ``module`` and run its click command ``main``; a Ctrl-C while importing ends the process quietly."""
    try:
        command = importlib.import_module(module).main
    except KeyboardInterrupt:
        sys.stderr.write("Aborted!\n")
        sys.exit(ABORTED_EXIT)
    command(prog_name=prog_name)


def child_command(*args: str) -> list[str]:
    """The command of a Python child of the kit: this interpreter, with ``args``.

    ``-P``: the working folder is not put on the child's path, so a package there named as
    one of ours (another checkout's ``mockserver``, a user's own ``contract_tests``) cannot
    stand in for it. Run it with :func:`child_environment`.
    """
    return [sys.executable, "-P", *args]


def child_environment() -> dict[str, str]:
    """This process's environment, for a Python child that imports the kit from where this process does.

    Where the kit's packages are not in a site folder (a checkout run without an install,
    an editable install), their folder goes first on ``PYTHONPATH``, so the child finds the
    same code. An installed kit is found by the child as it is here; its site folder is not
    put on ``PYTHONPATH``, where it would come before the standard library.
    """
    if _PACKAGE_ROOT in _site_folders():
        return dict(os.environ)
    path = os.pathsep.join(p for p in (_PACKAGE_ROOT, os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path}


def _site_folders() -> set[str]:
    folders = [*site.getsitepackages(), site.getusersitepackages()]
    return {str(Path(folder).resolve()) for folder in folders}
