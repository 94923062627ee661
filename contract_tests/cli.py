"""``usage-contract``: run the contract suite against one URL, or against every vendor of a
targets file and write a side-by-side matrix.

Keys are read from the environment (``CONTRACT_API_KEY`` ...), never from the command
line; for a targets file each vendor names the variable holding its key. The exit code is
0 when every target passes, 1 when a check failed, and 4 (pytest's usage error) when the
suite cannot run, for example without a base URL, or without a key and an organization
(unless ``CONTRACT_ALLOW_PARTIAL=1``). A target's name from a targets file names its report
folder: it cannot point outside the report directory.

The suite runs from the installed package with its own settings (no configuration file of
the current directory, no ``conftest.py`` above the package): :func:`suite_args`.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import click

from contract_tests import diff_command
from contract_tests.core.matrix import write_matrix
from contract_tests.core.settings import ENV, Target, TargetError, load_targets
from contract_tests.core.variables import EXIT_CODES, NAME, SETTINGS, TARGET_FILE_KEYS
from usage_contract_kit.launching import child_command, child_environment
from usage_contract_kit.packaged import version_text

__all__ = ["SUITE", "main", "suite_args"]

SUITE = Path(__file__).resolve().parent
_PROFILES = ("ci", "dev", "thorough")
_NO_SUITE = (
    "usage-contract: the contract suite is not installed (pytest, Hypothesis, schemathesis); "
    "install it with: pip install 'usage-contract-kit[suite]'"
)


def suite_args(report_dir: Path, profile: str, extra: tuple[str, ...] | list[str] = ()) -> list[str]:
    """pytest's arguments for one run of the installed suite, whatever the current directory holds.

    No configuration file is read (``-c`` the null device: a project's own ``pytest.ini`` or
    ``pyproject.toml`` neither adds options nor changes collection), no ``conftest.py``
    above the suite is loaded, no cache is written, and the suite's settings are given here.
    """
    return [
        str(SUITE),
        "-c",
        os.devnull,
        "--rootdir",
        str(SUITE),
        "--confcutdir",
        str(SUITE),
        "-p",
        "no:cacheprovider",
        # The suite raises its own failures (no bare asserts): plain asserts spare every run the
        # rewriting of Hypothesis' and schemathesis' modules.
        "--assert=plain",
        "-o",
        "python_files=test_*.py",
        "--strict-markers",
        "-ra",
        f"--hypothesis-profile={profile}",
        "--contract-report-dir",
        str(report_dir),
        f"--junitxml={report_dir / 'junit.xml'}",
        *extra,
    ]


def _pytest_main(args: list[str]) -> int:
    try:
        import pytest
    except ImportError:
        click.echo(_NO_SUITE, err=True)
        return 4
    return int(pytest.main(args))


def _environment(target: Target) -> dict[str, str]:
    env = {k: v for k, v in child_environment().items() if not k.startswith("CONTRACT_")}
    for name, variable in ENV.items():
        value = getattr(target, name)
        if value is not None:
            env[variable] = str(value).lower() if isinstance(value, bool) else str(value)
    env[NAME.variable] = target.name
    return env


def _version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(version_text("usage-contract"))
        ctx.exit()


class _WithDiff(click.Command):
    """``usage-contract diff ...`` runs the breaking-change check; anything else checks a target.

    A click group cannot take BASE_URL and free pytest arguments in front of a subcommand
    name, so the first argument alone decides.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args[:1] == ["diff"]:
            diff_command.diff.main(args[1:], prog_name=f"{ctx.info_name} diff")  # exits
        return super().parse_args(ctx, args)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Environment variables (each also a pytest option, after `--`)"):
            formatter.write_dl([(s.variable, f"{s.option}: {s.meaning}") for s in (*SETTINGS, NAME)])
        with formatter.section("Targets file (--targets FILE): targets: [{key: value, ...}, ...]"):
            formatter.write_dl(list(TARGET_FILE_KEYS.items()))
        with formatter.section("Exit codes"):
            formatter.write_dl([(str(code), meaning) for code, meaning in EXIT_CODES.items()])
        with formatter.section("Compare two versions of the contract"):
            formatter.write_text("usage-contract diff OLD NEW (see usage-contract diff --help).")


@click.command(cls=_WithDiff, context_settings={"ignore_unknown_options": True, "help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_version,
    help="Print the kit's version and the packaged contract's, then exit.",
)
@click.argument("base_url", required=False)
@click.option(
    "--targets",
    "targets_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML file describing several targets (vendors); keys below.",
)
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports/contract"),
    show_default=True,
    help="Where reports go (conformance.{md,json,html}, junit.xml; with --targets one folder per target and the matrix).",
)
@click.option("--profile", type=click.Choice(_PROFILES), default="ci", show_default=True, help="Hypothesis profile.")
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
def main(
    base_url: str | None, targets_file: Path | None, report_dir: Path, profile: str, pytest_args: tuple[str, ...]
) -> None:
    """Check the implementation at BASE_URL (or CONTRACT_BASE_URL) against the contract.

    The key and an organization it may read come from CONTRACT_API_KEY and CONTRACT_ORG_ID
    (required unless CONTRACT_ALLOW_PARTIAL=1); the other variables below enable more
    checks. Options after `--` go to pytest (for example `-- --contract-strict` or
    `-- -k auth -x`).
    """
    if targets_file is not None:
        if base_url and base_url.startswith(("http://", "https://")):
            raise click.UsageError("give either BASE_URL or --targets, not both")
        extra = ((base_url,) if base_url else ()) + pytest_args  # with --targets, every argument is pytest's
        sys.exit(_run_many(targets_file, report_dir, profile, extra))
    if base_url and base_url.startswith("-"):  # `-- -k auth` with CONTRACT_BASE_URL set: pytest's, not a URL
        pytest_args, base_url = (base_url, *pytest_args), None
    args = suite_args(report_dir, profile, pytest_args)
    if base_url:
        args += ["--contract-base-url", base_url]
    sys.exit(_pytest_main(args))


def _run_many(path: Path, report_dir: Path, profile: str, extra: tuple[str, ...]) -> int:
    try:
        targets = load_targets(path)
    except TargetError as exc:
        click.echo(f"error: {exc}", err=True)
        return 4
    if importlib.util.find_spec("pytest") is None:
        click.echo(_NO_SUITE, err=True)
        return 4
    runs = []
    worst = 0
    for target in targets:
        directory = report_dir / target.name
        if directory.resolve().parent != report_dir.resolve():  # names are checked on load; this is the backstop
            click.echo(f"error: target name {target.name!r} would write outside {report_dir}", err=True)
            return 4
        click.echo(f"== {target.name}: {target.base_url}")
        command = child_command("-m", "pytest", *suite_args(directory, profile, extra))
        # The argument list is this interpreter running pytest on the suite; no shell is involved.
        code = subprocess.run(command, env=_environment(target), check=False).returncode  # noqa: S603
        worst = max(worst, code)
        report = directory / "conformance.json"
        if report.exists():
            runs.append(json.loads(report.read_text(encoding="utf-8")))
        else:
            click.echo(f"error: {target.name} produced no report (pytest exit code {code})", err=True)
    if runs:
        for written in write_matrix(runs, report_dir):
            click.echo(f"matrix: {written}")
    return worst


if __name__ == "__main__":
    main()
