"""``usage-contract``: run the contract suite against one URL, or against every vendor of a
targets file and write a side-by-side matrix.

Keys are read from the environment (``CONTRACT_API_KEY`` ...), never from the command
line; for a targets file each vendor names the variable holding its key. The exit code is
0 when every target passes, 1 when a check failed, and 4 (pytest's usage error) when the
suite cannot run, for example without a base URL, or without a key and an organization
(unless ``CONTRACT_ALLOW_PARTIAL=1``). A target's name from a targets file names its report
folder: it cannot point outside the report directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from contract_tests import diff_command
from contract_tests.core.matrix import write_matrix
from contract_tests.core.settings import ENV, Target, TargetError, load_targets

__all__ = ["main"]

SUITE = Path(__file__).resolve().parent
_PROFILES = ("ci", "dev", "thorough")


def _pytest_args(report_dir: Path, profile: str, extra: tuple[str, ...]) -> list[str]:
    return [
        str(SUITE),
        "-c",
        str(SUITE / "pytest.ini"),
        "--rootdir",
        str(SUITE),
        f"--hypothesis-profile={profile}",
        "--report-dir",
        str(report_dir),
        f"--junitxml={report_dir / 'junit.xml'}",
        *extra,
    ]


def _environment(target: Target) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTRACT_")}
    for name, variable in ENV.items():
        value = getattr(target, name)
        if value is not None:
            env[variable] = str(value).lower() if isinstance(value, bool) else str(value)
    env["CONTRACT_TARGET_NAME"] = target.name
    return env


class _WithDiff(click.Command):
    """``usage-contract diff ...`` runs the breaking-change check; anything else checks a target.

    A click group cannot take BASE_URL and free pytest arguments in front of a subcommand
    name, so the first argument alone decides.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args[:1] == ["diff"]:
            diff_command.diff.main(args[1:], prog_name=f"{ctx.info_name} diff")  # exits
        return super().parse_args(ctx, args)


@click.command(
    cls=_WithDiff,
    context_settings={"ignore_unknown_options": True, "help_option_names": ["-h", "--help"]},
    epilog="Compare two versions of the contract: usage-contract diff OLD NEW (see usage-contract diff --help).",
)
@click.argument("base_url", required=False)
@click.option(
    "--targets",
    "targets_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML file describing several targets (vendors).",
)
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports/contract"),
    show_default=True,
    help="Where reports go.",
)
@click.option("--profile", type=click.Choice(_PROFILES), default="ci", show_default=True, help="Hypothesis profile.")
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
def main(
    base_url: str | None, targets_file: Path | None, report_dir: Path, profile: str, pytest_args: tuple[str, ...]
) -> None:
    """Check the implementation at BASE_URL (or CONTRACT_BASE_URL) against the contract.

    Configure it with CONTRACT_API_KEY and CONTRACT_ORG_ID (required unless
    CONTRACT_ALLOW_PARTIAL=1), CONTRACT_OTHER_ORG_ID, CONTRACT_OTHER_API_KEY,
    CONTRACT_MISSING_ORG_ID, CONTRACT_WINDOW_START and CONTRACT_WINDOW_END. Options after
    `--` go to pytest (for example `-- --strict` or `-- --org-id org_1 -x`).
    """
    if targets_file is not None:
        if base_url and base_url.startswith(("http://", "https://")):
            raise click.UsageError("give either BASE_URL or --targets, not both")
        extra = ((base_url,) if base_url else ()) + pytest_args  # with --targets, every argument is pytest's
        sys.exit(_run_many(targets_file, report_dir, profile, extra))
    args = _pytest_args(report_dir, profile, pytest_args)
    if base_url:
        args += ["--base-url", base_url]
    sys.exit(int(pytest.main(args)))


def _run_many(path: Path, report_dir: Path, profile: str, extra: tuple[str, ...]) -> int:
    try:
        targets = load_targets(path)
    except TargetError as exc:
        click.echo(f"error: {exc}", err=True)
        return 4
    runs = []
    worst = 0
    for target in targets:
        directory = report_dir / target.name
        if directory.resolve().parent != report_dir.resolve():  # names are checked on load; this is the backstop
            click.echo(f"error: target name {target.name!r} would write outside {report_dir}", err=True)
            return 4
        click.echo(f"== {target.name}: {target.base_url}")
        command = [sys.executable, "-m", "pytest", *_pytest_args(directory, profile, extra)]
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
