"""The report of a comparison in text, Markdown and JSON."""

from __future__ import annotations

import json
import re

import pytest

from contract_tests.diff.model import CLIENTS, COMPATIBLE, IMPLEMENTATIONS, Change, breaking_changes, exit_code
from contract_tests.diff.render import render

CHANGES = [
    Change("response-added", COMPATIBLE, "GET /x: response 429 added", None, "/paths/~1x/get/responses/429"),
    Change(
        "parameter-added",
        IMPLEMENTATIONS,
        "GET /x: query parameter 'q' added (optional)",
        None,
        "/paths/~1x/get/parameters/0",
    ),
    Change("response-removed", CLIENTS, "GET /x: response 404 removed | gone", "/paths/~1x/get/responses/404", None),
]


def test_text_groups_breaking_changes_first_with_both_pointers() -> None:
    text = render(CHANGES, fmt="text", old_name="a.yaml", new_name="b.yaml", fail_on="clients")
    lines = text.splitlines()
    assert (
        lines[0]
        == "a.yaml → b.yaml: 1 breaking for clients, 1 breaking for implementations, 1 compatible (breaking for clients: yes)"
    )
    assert (
        lines.index("Breaking for clients (1):")
        < lines.index("Breaking for implementations (1):")
        < lines.index("Compatible (1):")
    )
    assert "      old #/paths/~1x/get/responses/404  new (none)" in lines


def test_text_without_changes() -> None:
    assert (
        render([], fmt="text", old_name="a", new_name="b", fail_on="any")
        == "a → b: no changes (breaking for clients or implementations: no)\n"
    )


def test_markdown_is_one_table_with_pipes_escaped() -> None:
    markdown = render(CHANGES, fmt="markdown", old_name="a.yaml", new_name="b.yaml", fail_on="implementations")
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert rows[0] == "| classification | change | kind | old | new |"
    assert rows[2].startswith("| breaking for clients | GET /x: response 404 removed \\| gone |")
    assert all(len(re.split(r"(?<!\\)\|", row)) == 7 for row in rows)  # five cells on every row
    assert "breaking for implementations: yes." in markdown


def test_json_carries_every_field_and_the_verdict() -> None:
    report = json.loads(render(CHANGES, fmt="json", old_name="a", new_name="b", fail_on="clients"))
    assert report["breaking"] is True
    assert report["summary"] == {CLIENTS: 1, IMPLEMENTATIONS: 1, COMPATIBLE: 1}
    assert report["changes"][0] == {
        "kind": "response-removed",
        "classification": CLIENTS,
        "message": "GET /x: response 404 removed | gone",
        "old_pointer": "/paths/~1x/get/responses/404",
        "new_pointer": None,
    }


@pytest.mark.parametrize(("fail_on", "code"), [("clients", 1), ("implementations", 1), ("any", 1)])
def test_exit_code_follows_the_side(fail_on: str, code: int) -> None:
    assert exit_code(CHANGES, fail_on=fail_on) == code
    assert exit_code(CHANGES[:1], fail_on=fail_on) == 0


def test_fail_on_picks_the_side() -> None:
    assert [c.kind for c in breaking_changes(CHANGES, fail_on="clients")] == ["response-removed"]
    assert [c.kind for c in breaking_changes(CHANGES, fail_on="implementations")] == ["parameter-added"]
    with pytest.raises(ValueError, match="fail_on must be one of clients, implementations, any, not 'everyone'"):
        breaking_changes(CHANGES, fail_on="everyone")
    with pytest.raises(ValueError, match="format must be one of"):
        render(CHANGES, fmt="xml", old_name="a", new_name="b", fail_on="any")
