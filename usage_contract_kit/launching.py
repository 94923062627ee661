"""The kit's commands start here: Ctrl-C while a command is still being imported ends it with one line.

A command line takes a tenth of a second or more to import (click, YAML, the packaged
contract); a Ctrl-C in that time would end in a traceback, before click, which says
``Aborted!`` for a Ctrl-C once the command runs, could catch it. :func:`launch` imports
the command inside a guard that says the same.
"""

from __future__ import annotations

import importlib
import sys

__all__ = ["ABORTED_EXIT", "launch"]

ABORTED_EXIT = 1  # click's exit status for an abort (Ctrl-C) once a command runs


def launch(module: str, prog_name: str | None = None) -> None:
    """Import ``module`` and run its click command ``main``; a Ctrl-C while importing ends the process quietly."""
    try:
        command = importlib.import_module(module).main
    except KeyboardInterrupt:
        sys.stderr.write("Aborted!\n")
        sys.exit(ABORTED_EXIT)
    command(prog_name=prog_name)
