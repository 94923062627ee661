"""Print the detection table for the README: ``python -m tests.contract.detection_table``.

Runs the contract suite (ci profile) against every implementation of
``tests/contract/implementations.py`` and prints one Markdown row per implementation.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from tests.contract import implementations as impl
from tests.contract.harness import run_all


def main() -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        outcomes = run_all(impl.CORRECT + impl.DEFECTS, Path(directory))
    lines = ["| implementation | meant to be caught by | failed checks | result |", "| --- | --- | --- | --- |"]
    caught = false_alarms = 0
    for app in impl.CORRECT + impl.DEFECTS:
        outcome = outcomes[app.name]
        failed = ", ".join(sorted(outcome.failed_checks)) or "none"
        if app.catches:
            ok = outcome.exit_code == 1 and bool(outcome.failed_checks & set(app.catches))
            caught += ok
            lines.append(f"| {app.name} | {', '.join(app.catches)} | {failed} | {'caught' if ok else 'MISSED'} |")
        else:
            ok = outcome.exit_code == 0 and not outcome.failed_checks
            false_alarms += not ok
            lines.append(f"| {app.name} (correct) | nothing | {failed} | {'pass' if ok else 'FALSE ALARM'} |")
    print("\n".join(lines))
    print(
        f"\n{caught} of {len(impl.DEFECTS)} defects caught, {false_alarms} false alarms on {len(impl.CORRECT)} correct "
        f"implementations ({time.perf_counter() - started:.0f} s)."
    )


if __name__ == "__main__":
    main()
