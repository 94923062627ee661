"""Every `curl` snippet in README.md runs against a real mock and gets the status it promises."""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import DATA_PATH, ROOT
from tests.server import running_mock

pytestmark = pytest.mark.server
README = (ROOT / "README.md").read_text()
DOCUMENTED_BASE = "http://127.0.0.1:4010"


def _snippets() -> Iterator[tuple[str, str, int]]:
    """(mode, command, expected status) for each `curl ... # -> NNN` line in a sh block.

    A block runs against data mode when the prose line just before it mentions `make demo`,
    and through the proxy (in front of data mode) when it mentions `--proxy`.
    """
    mode, in_block, last_prose = "example", False, ""
    for line in README.splitlines():
        if line.startswith("```"):
            in_block = not in_block
            if in_block:
                mode = "proxy" if "--proxy" in last_prose else "data" if "make demo" in last_prose else "example"
            continue
        if not in_block:
            last_prose = line if line.strip() else last_prose
            continue
        found = re.fullmatch(r"(curl .*?)\s+# -> (\d{3})", line.strip())
        if found:
            yield mode, found.group(1), int(found.group(2))


SNIPPETS = list(_snippets())


def test_readme_has_snippets_for_every_mode() -> None:
    assert {mode for mode, _, _ in SNIPPETS} == {"example", "data", "proxy"}
    assert len(SNIPPETS) >= 20


def test_readme_says_where_choosing_a_response_differs_from_prism() -> None:
    (row,) = [line for line in README.splitlines() if line.startswith("| choose the response |")]
    assert "Prism-compatible" not in row  # it is not, in what it checks first
    assert "before credentials, parameters, the body" in row
    assert "as in Prism" in row  # example and dynamic alone


def _run(mode: str, bases: dict[str, str]) -> None:
    for snippet_mode, command, expected in SNIPPETS:
        if snippet_mode != mode:
            continue
        argv = shlex.split(command)
        for documented, base in bases.items():
            argv = [part.replace(documented, base) for part in argv]
        result = subprocess.run(
            [*argv[:1], "-s", "--max-time", "10", *argv[1:]], capture_output=True, text=True, timeout=30
        )
        status = re.match(r"HTTP/[\d.]+ (\d{3})", result.stdout)
        assert status, f"{command}: {result.stdout!r} {result.stderr!r}"
        assert int(status.group(1)) == expected, f"{command}\n{result.stdout}"


@pytest.mark.parametrize("mode", ["example", "data"])
def test_readme_snippets(mode: str, tmp_path: Path) -> None:
    args = ["--data", str(DATA_PATH)] if mode == "data" else []
    with running_mock(*args, log=tmp_path / "mock.log") as base:
        _run(mode, {DOCUMENTED_BASE: base})


DOCUMENTED_PROXY = "mockserver --proxy http://127.0.0.1:4010 --port 4011 --violations-header"


def test_readme_proxy_snippets(tmp_path: Path) -> None:
    """The proxy's snippets, through a proxy started as the README starts it, in front of data mode."""
    assert DOCUMENTED_PROXY in README
    with (
        running_mock("--data", str(DATA_PATH), log=tmp_path / "upstream.log") as upstream,
        running_mock("--proxy", upstream, "--violations-header", log=tmp_path / "proxy.log") as proxy,
    ):
        _run("proxy", {"http://127.0.0.1:4011": proxy})


def test_detection_table_lists_every_implementation() -> None:
    from tests.contract import implementations as impl

    rows = {
        line.split("|")[1].strip() for line in README.splitlines() if line.startswith("| ") and line.count("|") == 5
    }
    for app in impl.CORRECT:
        assert f"{app.name} (correct)" in rows
    for app in impl.DEFECTS:
        assert app.name in rows
    assert f"{len(impl.DEFECTS)} of {len(impl.DEFECTS)} defects caught, 0 false alarms" in README
