"""Run the breaking-change check and a peer over every version pair, print a Markdown table.

``make compare-spec-diff`` installs the peer (Atlassian's ``openapi-diff``) and runs this.
Each pair of ``tests/contract/diff_pairs.py`` is written to ``--pairs-dir`` and compared
in both directions by ``usage-contract diff --format json`` and by the peer. Our verdict
names the sides a change breaks; the peer judges for consumers only (it exits 1 for a
"breaking" difference), so the two agree when the peer says breaking exactly where we say
breaking for clients.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.contract.diff_pairs import PAIRS, write_pair  # noqa: E402 - after the path is set

_SHORT = {"both": "clients + impl.", "implementations": "impl.", "clients": "clients"}


def _ours(old: Path, new: Path) -> tuple[str, bool]:
    command = [sys.executable, "-m", "contract_tests.cli", "diff", str(old), str(new), "--format", "json"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    if result.returncode not in (0, 1):
        raise SystemExit(f"usage-contract diff failed on {old.name}: {result.stderr.strip()}")
    summary = json.loads(result.stdout)["summary"]
    sides = [s for s in ("clients", "implementations") if summary[f"breaking-for-{s}"]]
    if len(sides) == 2:
        return _SHORT["both"], True
    if sides:
        return _SHORT[sides[0]], sides[0] == "clients"
    return ("compatible" if summary["compatible"] else "no change"), False


def _peer(peer: str, old: Path, new: Path) -> tuple[str, bool | None]:
    """The peer's verdict, and whether it calls the change breaking (None: it could not compare)."""
    result = subprocess.run([peer, str(old), str(new)], capture_output=True, text=True, timeout=120, check=False)
    text = result.stdout
    if "No changes found" in text:
        return "no change", False
    start = text.find("{")
    if start < 0 or result.returncode not in (0, 1):
        reason = "circular $ref" if "Circular $ref" in result.stdout + result.stderr else "error"
        return f"fails ({reason})", None
    outcome = json.loads(text[start:])
    if outcome.get("breakingDifferencesFound"):
        return "breaking", True
    if outcome.get("nonBreakingDifferences"):
        return "non-breaking", False
    return "unclassified", False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer", required=True, help="path of the openapi-diff executable")
    parser.add_argument("--pairs-dir", type=Path, default=ROOT / "reports" / "spec-diff-pairs")
    args = parser.parse_args()
    args.pairs_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rows = ["| pair | ours → | peer → | ours ← | peer ← | agree |", "| --- | --- | --- | --- | --- | --- |"]
    agreed = 0
    for pair in PAIRS:
        old, new = write_pair(pair, args.pairs_dir)
        cells, same = [], True
        for a, b in ((old, new), (new, old)):
            (ours, ours_breaking), (peer, peer_breaking) = _ours(a, b), _peer(args.peer, a, b)
            cells += [ours, peer]
            same = same and ours_breaking == peer_breaking
        agreed += same
        rows.append(f"| {pair.name} | {' | '.join(cells)} | {'yes' if same else 'no'} |")
    print("\n".join(rows))
    print(
        f"\n{agreed} of {len(PAIRS)} pairs agree in both directions on breaking for clients "
        f"({time.perf_counter() - started:.0f} s; pairs written to {args.pairs_dir})."
    )


if __name__ == "__main__":
    main()
