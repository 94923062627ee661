"""The README's "Breaking changes" section: its snippets run, its sample output and its table are true."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.conftest import ROOT
from tests.contract.diff_pairs import PAIRS

SECTION = (ROOT / "README.md").read_text().split("\n## Breaking changes\n", 1)[1].split("\n## ", 1)[0]
_OURS = {
    "clients": "clients",
    "impl.": "implementations",
    "clients + impl.": "both",
    "compatible": "compatible",
    "no change": "none",
}


def _blocks(language: str) -> list[list[str]]:
    return [block.splitlines() for block in re.findall(rf"```{language}\n(.*?)```", SECTION, re.S)]


def test_snippets_exit_as_promised(tmp_path: Path) -> None:
    """Every command of the sh blocks but `make` ones (tests/contract/test_diff_make.py runs those in a scratch repo)."""
    commands = [line for block in _blocks("sh") for line in block if line.strip() and not line.startswith("make ")]
    promised = [line for line in commands if re.search(r"# -> exit \d$", line)]
    assert len(promised) >= 5
    for line in commands:
        result = subprocess.run(
            ["bash", "-c", line],
            cwd=ROOT,
            env={"TMPDIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        expected = re.search(r"# -> exit (\d)$", line)
        assert result.returncode == (int(expected.group(1)) if expected else 0), (
            f"{line}\n{result.stdout}\n{result.stderr}"
        )


def test_sample_output_is_what_the_command_prints(tmp_path: Path) -> None:
    (sample,) = _blocks("text")
    setup = next(line for block in _blocks("sh") for line in block if line.startswith("sed "))
    subprocess.run(["bash", "-c", setup], cwd=ROOT, env={"TMPDIR": str(tmp_path), "PATH": "/usr/bin:/bin"}, check=True)
    result = subprocess.run(
        [str(ROOT / ".venv/bin/usage-contract"), "diff", "openapi.yaml", str(tmp_path / "next.yaml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.replace(str(tmp_path / "next.yaml"), "/tmp/next.yaml").splitlines() == sample


def test_comparison_table_shows_every_pair_with_our_expected_verdicts() -> None:
    rows = {
        cells[0]: cells
        for line in SECTION.splitlines()
        if len(cells := [c.strip() for c in line.strip("|").split("|")]) == 6
    }
    for pair in PAIRS:
        assert pair.name in rows, pair.name
        cells = rows[pair.name]
        assert (_OURS[cells[1]], _OURS[cells[3]]) == (pair.forward, pair.backward), pair.name
    agreed = sum(rows[p.name][5] == "yes" for p in PAIRS)
    assert f"{agreed} of {len(PAIRS)} pairs agree in both directions" in SECTION
