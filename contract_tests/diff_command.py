"""``usage-contract diff OLD NEW``: the breaking-change check of the contract, as a command.

Reads both versions (a file, or ``-`` for standard input), checks each is a valid
OpenAPI document, compares them (:func:`contract_tests.diff.documents.diff_documents`)
and prints the report. Exit codes, as for ``diff(1)``: 0 when nothing breaks the side
chosen with ``--fail-on``, 1 when something does, 2 when an input cannot be used (one
line on standard error naming the file and the problem).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

import click

from contract_tests.diff.documents import diff_documents
from contract_tests.diff.model import FAIL_ON, DiffError, exit_code
from contract_tests.diff.render import FORMATS, render
from usage_contract_kit.documents import parse_text
from usage_contract_kit.errors import SpecError
from usage_contract_kit.pointers import outside_the_file
from usage_contract_kit.refs import document_refs
from usage_contract_kit.spec import validate_document
from usage_contract_kit.verdicts import FileMemo

__all__ = ["diff", "load_document"]


class InputError(Exception):
    """An input that cannot be compared; the message is the whole explanation."""


def load_document(source: str, text: str) -> dict[str, Any]:
    """Parse and validate one version, as the kit reads its contract; :class:`InputError` names the fault."""
    try:
        document = parse_text(text, source=source, error=SpecError, as_json=source.lower().endswith(".json"))
        if not isinstance(document, dict) or not ("openapi" in document or "swagger" in document):
            raise SpecError(source, "", "not an OpenAPI document (no 'openapi' field at the top)")
        if "swagger" in document:
            raise SpecError(source, "", "Swagger 2 documents are not supported; convert it to OpenAPI 3 first")
        for ref, where in document_refs(document):  # as the kit reads a contract: local refs only
            if not ref.startswith("#"):
                raise SpecError(source, where, outside_the_file(ref))
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        memo = FileMemo()  # openapi-spec-validator costs a second; a text it passed is remembered
        if not memo.known_valid(digest):
            validate_document(document, source)
            memo.remember_valid(digest)
    except SpecError as exc:
        raise InputError(_first_line(str(exc))) from None
    return document


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unknown problem"


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Report format.")
@click.option(
    "--fail-on",
    type=click.Choice(tuple(FAIL_ON)),
    default="clients",
    show_default=True,
    help="Which side's breaking changes make the exit code 1.",
)
@click.option("--old-name", help="Name of OLD in the report (default: the path).")
@click.option("--new-name", help="Name of NEW in the report (default: the path).")
def diff(old: str, new: str, fmt: str, fail_on: str, old_name: str | None, new_name: str | None) -> None:
    """List every difference between two versions of the contract, OLD and NEW (files, or - for
    standard input), each breaking for clients, breaking for implementations, or compatible.

    Exit code 0: nothing breaks the --fail-on side; 1: something does; 2: an input cannot
    be used.
    """
    if old == new == "-":
        raise click.UsageError("only one of OLD and NEW can be standard input")
    try:
        documents = [load_document(name, _read(name)) for name in (old, new)]
        changes = diff_documents(*documents)
    except (InputError, DiffError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(render(changes, fmt=fmt, old_name=old_name or old, new_name=new_name or new, fail_on=fail_on), nl=False)
    sys.exit(exit_code(changes, fail_on=fail_on))
