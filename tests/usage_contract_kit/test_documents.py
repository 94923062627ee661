"""The one YAML reader of the mock: plain JSON data, no aliases, bounded size and depth."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import SPEC_PATH
from usage_contract_kit.documents import MAX_DEPTH, MEGABYTE, parse_yaml, read_document, read_yaml
from usage_contract_kit.errors import LoadError, SpecError


class DataError(LoadError):
    """Another kind of file: the reader raises the error type its caller names."""


SAME_AS_SAFE_LOAD = [
    ("mapping", "a: 1\nb: [x, 'y', \"z\"]"),
    ("YAML 1.1 scalars", "a: yes\nb: 0777\nc: 0x1F\nd: 1_000\ne: 1:30\nf: .5\ng: ~\nh: null\ni: '12'\nj: -3\nk: 1e3"),
    ("numeric keys", "{200: a, 2.5: b, null: c, true: d}"),
    ("explicit core tags", "a: !!str 12\nb: !!int '12'\nc: !!float '1'\nd: !!bool 'true'\ne: !!null ''"),
    ("merge of an inline mapping", "c: {<<: {y: 2, z: 1}, y: 3}"),
    ("merge of a list of mappings", "c: {<<: [{y: 2}, {y: 5, z: 1}]}"),
    ("empty file", ""),
    ("only a comment", "# nothing"),
    ("anchor without alias", "a: &x [1, 2]"),
    ("block scalars", "a: |\n  line 1\n  line 2\nb: >\n  folded\n  text\n"),
    ("the project spec", SPEC_PATH.read_text()),
]


@pytest.mark.parametrize(("name", "text"), SAME_AS_SAFE_LOAD, ids=[c[0] for c in SAME_AS_SAFE_LOAD])
def test_reads_what_safe_load_reads(name: str, text: str) -> None:
    assert parse_yaml(text, source="f.yaml", error=SpecError) == yaml.safe_load(text)


JSON_FORMS = [
    ("date", "a: 2020-01-01", {"a": "2020-01-01"}),
    ("timestamp", "a: 2020-01-01T10:00:00Z", {"a": "2020-01-01T10:00:00Z"}),
    ("tagged timestamp", "a: !!timestamp 2020-01-01", {"a": "2020-01-01"}),
    ("date key", "2025-01-01: {usageSms: 1}", {"2025-01-01": {"usageSms": 1}}),
    ("binary", "a: !!binary |\n  aGVs\n  bG8=\n", {"a": "aGVsbG8="}),
    ("set", "a: !!set {x, y}", {"a": {"x": None, "y": None}}),
    ("ordered map", "a: !!omap [{a: 1}, {b: 2}]", {"a": [{"a": 1}, {"b": 2}]}),
    ("merge sign as a value", "[1, <<, {a: <<}]", [1, "<<", {"a": "<<"}]),
]


@pytest.mark.parametrize(("name", "text", "value"), JSON_FORMS, ids=[c[0] for c in JSON_FORMS])
def test_values_become_json_data(name: str, text: str, value: Any) -> None:
    assert parse_yaml(text, source="f.yaml", error=SpecError) == value


REFUSED: list[tuple[str, str | bytes, str, str]] = [
    ("alias", "a: &x [1]\nb: *x", "/b", "YAML aliases are not allowed (*x at line 2, column 4)"),
    ("alias in a list", "a:\n  - 1\n  - *nope", "/a/1", "YAML aliases are not allowed (*nope"),
    ("merge of an alias", "a: &b {x: 1}\nc: {<<: *b}", "/c", "YAML aliases are not allowed"),
    ("python tag", "a: !!python/object:os.system x", "/a", "is not supported at line 1"),
    ("local tag", "a: !foo x", "/a", "YAML tag !foo is not supported"),
    ("collection key", "? [1, 2]\n: 3", "", "a mapping key must be a scalar"),
    ("two documents", "--- 1\n--- 2", "", "more than one YAML document"),
    ("syntax", "a: [1, 2", "", "not valid YAML at line 2, column 1"),
    (
        "bytes that are not UTF-8",
        b"a: 1\nb: caf\xe9\n",
        "",
        "not valid YAML at line 2, column 7: incomplete UTF-8 octet sequence: the file is not UTF-8 text",
    ),
    ("a control character", "a: 1\nb: '\u00e9\x07'\n", "", "not valid YAML at line 2, column 7: control characters"),
    ("merge of a scalar", "a: {<<: 1}", "/a", "a merge key (<<) takes a mapping"),
    (
        "a key twice",
        "paths:\n  /x:\n    get: 1\n    get: 2",
        "/paths/~1x",
        "the key 'get' comes twice in one mapping at line 4",
    ),
    ("a key twice, once quoted", "a: 1\n'a': 2", "", "the key 'a' comes twice"),
    ("a number key twice", "{200: a, 200: b}", "", "the key 200 comes twice"),
    ("an integer too long to read", "a: [" + "9" * 5000 + "]", "/a/0", "a number of 5,000 digits at line 1"),
    ("a negative one", "b: -" + "1" * 4400, "/b", "a number of 4,401 digits"),
    ("a tagged one", "c: !!int " + "7" * 4400, "/c", "at most 4,300 are read"),
    (
        "deep nesting",
        "a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
        "/a" + "/0" * (MAX_DEPTH - 1),
        "deeper than",
    ),
]


@pytest.mark.parametrize(("name", "text", "location", "problem"), REFUSED, ids=[c[0] for c in REFUSED])
def test_refusals_name_the_place(name: str, text: str | bytes, location: str, problem: str) -> None:
    with pytest.raises(DataError) as info:
        parse_yaml(text, source="f.yaml", error=DataError)
    assert info.value.location == location
    assert problem in info.value.problem
    assert "\n" not in info.value.problem  # one line, as the command prints it


def _laughs(levels: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_at_the_first_alias() -> None:
    started = time.perf_counter()
    with pytest.raises(SpecError, match=r"#/a1/0: YAML aliases are not allowed \(\*a0 at line 2"):
        parse_yaml(_laughs(9), source="bomb.yaml", error=SpecError)
    assert time.perf_counter() - started < 5  # a bomb expanded would take minutes and gigabytes


def test_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * (2 * MEGABYTE))
    with pytest.raises(SpecError) as info:
        read_yaml(path, source="big.yaml", max_bytes=MEGABYTE, limit_name="--max-spec-mb", error=SpecError)
    assert info.value.problem == "the file is 2 MB, over the limit of 1 MB (--max-spec-mb)"


def test_size_limit_holds_for_files_without_a_size() -> None:
    with pytest.raises(DataError, match="the file is more than 1,000 bytes, over the limit of 1,000 bytes"):
        read_yaml("/dev/zero", source="zero", max_bytes=1000, limit_name="x", error=DataError)


def test_read_gives_value_and_digest(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("a: 1\n")
    document = read_yaml(path, source="f.yaml", max_bytes=MEGABYTE, limit_name="x", error=SpecError)
    assert (document.value, document.size) == ({"a": 1}, 5)
    assert len(document.digest) == 64


@pytest.mark.parametrize(("path", "problem"), [("missing.yaml", "No such file"), (".", "Is a directory")])
def test_unreadable_files(path: str, problem: str, tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=f"cannot read the file \\({problem}"):
        read_yaml(tmp_path / path, source=path, max_bytes=MEGABYTE, limit_name="x", error=SpecError)


JSON_OR_YAML = [
    ("a .json file is JSON", "s.json", r'{"a": "\ud83d\udc4d"}', {"a": "\U0001f44d"}),
    ("a .JSON file too", "S.JSON", r'{"a": 1e3}', {"a": 1000.0}),
    ("a text that starts with { is JSON first", "s.yaml", r' {"a": "\ud83d\udc4d"}', {"a": "\U0001f44d"}),
    ("a byte-order mark before it", "s", '\ufeff{"a": 1}', {"a": 1}),
    ("a flow mapping that is not JSON is YAML", "s.yaml", "{a: 1, b: [x]}", {"a": 1, "b": ["x"]}),
    ("other text is YAML", "s.yml", "a: 1e3", {"a": "1e3"}),
]


@pytest.mark.parametrize(("source", "text", "value"), [c[1:] for c in JSON_OR_YAML], ids=[c[0] for c in JSON_OR_YAML])
def test_json_documents_are_read_as_json(source: str, text: str, value: Any, tmp_path: Path) -> None:
    path = tmp_path / "copy"  # the name in messages, not the file's, says JSON: a reload reads a copy
    path.write_text(text, encoding="utf-8")
    document = read_document(path, source=source, max_bytes=MEGABYTE, limit_name="x", error=SpecError)
    assert document.value == value


JSON_FAULTS = [
    ("truncated .json", "s.json", '{"openapi": "3.0.3",\n "info": {', "not valid JSON at line 2, column 11"),
    ("YAML in a .json file", "s.json", "openapi: 3.0.3", "not valid JSON at line 1, column 1"),
    ("truncated, starting with {", "s.yaml", '{"openapi": "3.0.3", "info"', "not valid JSON at line 1, column 28"),
    ("a lone surrogate", "s.json", r'{"a": "\udc4d"}', "a lone surrogate escape"),
    ("too deep", "s.json", "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "nested deeper than"),
    ("a key twice", "s.json", '{"paths": {"/x": {"get": 1, "get": 2}}}', "the key 'get' comes twice in one object"),
]


@pytest.mark.parametrize(("source", "text", "problem"), [c[1:] for c in JSON_FAULTS], ids=[c[0] for c in JSON_FAULTS])
def test_json_faults_say_json(source: str, text: str, problem: str, tmp_path: Path) -> None:
    path = tmp_path / "copy"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as info:
        read_document(path, source=source, max_bytes=MEGABYTE, limit_name="x", error=SpecError)
    assert problem in info.value.problem


def test_the_size_limit_holds_for_json(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b'["' + b"x" * (2 * MEGABYTE) + b'"]')
    with pytest.raises(SpecError) as info:
        read_document(path, source="big.json", max_bytes=MEGABYTE, limit_name="--max-spec-mb", error=SpecError)
    assert info.value.problem == "the file is 2 MB, over the limit of 1 MB (--max-spec-mb)"
