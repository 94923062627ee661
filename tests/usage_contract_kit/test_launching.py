"""A command's entry point: a Ctrl-C while the command line is imported ends it with one line, no traceback;
and the environment a Python child of the kit is started with."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from usage_contract_kit import launching
from usage_contract_kit.launching import ABORTED_EXIT, launch

COMMAND = """
import click

@click.command()
@click.option("--name", default="world")
def main(name):
    click.echo(f"hello {name} from {click.get_current_context().info_name}")
"""


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "interrupted_command.py").write_text("raise KeyboardInterrupt\n")
    (tmp_path / "greeting_command.py").write_text(COMMAND)
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_a_ctrl_c_while_importing_ends_with_one_line(modules: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        launch("interrupted_command")
    assert ended.value.code == ABORTED_EXIT == 1
    assert capsys.readouterr().err == "Aborted!\n"


def test_the_command_line_prints_what_the_command_says(modules: Path) -> None:
    code = "import sys; from usage_contract_kit.launching import launch; launch('greeting_command', 'greet')"
    done = subprocess.run(
        [sys.executable, "-c", code, "--name", "kit"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={"PYTHONPATH": f"{modules}:{ROOT}"},
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "hello kit from greet\n", "")


@pytest.mark.parametrize("module", ["mockserver", "contract_tests"])
def test_both_commands_start_through_the_guard(module: str) -> None:
    scripts = (ROOT / "pyproject.toml").read_text().split("[project.scripts]", 1)[1].split("\n\n", 1)[0]
    assert f'"{module}.launch:run"' in scripts
    assert "cli:main" not in scripts


@pytest.mark.parametrize(
    ("installed", "before", "after"),
    [
        (False, None, "/kit"),
        (False, "/mine", f"/kit{os.pathsep}/mine"),
        (True, None, None),  # a site folder: not put before the standard library
        (True, "/mine", "/mine"),
    ],
)
def test_a_child_finds_the_kit_where_this_process_does(
    monkeypatch: pytest.MonkeyPatch, installed: bool, before: str | None, after: str | None
) -> None:
    monkeypatch.setattr(launching, "_PACKAGE_ROOT", "/kit")
    monkeypatch.setattr(launching, "_site_folders", lambda: {"/kit"} if installed else {"/elsewhere"})
    if before is None:
        monkeypatch.delenv("PYTHONPATH", raising=False)
    else:
        monkeypatch.setenv("PYTHONPATH", before)
    environment = launching.child_environment()
    assert environment.get("PYTHONPATH") == after
    assert {k: v for k, v in environment.items() if k != "PYTHONPATH"} == {
        k: v for k, v in os.environ.items() if k != "PYTHONPATH"
    }
