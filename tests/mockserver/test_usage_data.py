from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest

from mockserver.core.backend import Computed, Refusal
from mockserver.core.encoding import encode_body
from mockserver.core.security import Credential
from mockserver.errors import DataError
from mockserver.usage_data import DAY_MS, UsageFile, build_backend, day_of, load_usage_data
from tests.conftest import DATA_PATH, KEY, ROOT
from usage_contract_kit.model import Spec


def body_of(result: Any) -> Any:
    """The body of a backend's answer; its JSON bytes, when it wrote them itself, must be the encoder's."""
    assert isinstance(result, Computed), result
    if result.json is not None:
        assert result.json == encode_body(result.value, "json")
    return result.value


JAN1 = (dt.date(2025, 1, 1) - dt.date(1970, 1, 1)).days * DAY_MS
GOOD_KEY = "idt_live_" + "a" * 32
OTHER_KEY = "idt_live_" + "b" * 32


def _data() -> dict[str, Any]:
    return {
        "apiKeys": [{"key": GOOD_KEY, "organizations": ["o1"]}, {"key": OTHER_KEY, "organizations": ["o2"]}],
        "organizations": [
            {
                "id": "o1",
                "usage": {
                    "2025-01-01": {"usageSms": 1, "usageEmail": 10},
                    dt.date(2025, 1, 2): {"usageSms": 2, "usageWhatsapp": 5},
                    "2025-01-05": {"usageSms": 4, "usageSage": 0.5},
                },
            },
            {"id": "o2"},
        ],
    }


@pytest.mark.parametrize(
    ("ms", "day"),
    [(0, 0), (DAY_MS - 1, 0), (DAY_MS, 1), (-1, -1), (1.5, 0), (DAY_MS - 0.5, 0), (1e300, int(1e300 // DAY_MS))],
)
def test_day_of(ms: float, day: int) -> None:
    assert day_of(ms) == day


RANGES = [
    ("one day", JAN1, JAN1, {"usageSms": 1, "usageEmail": 10, "usageWhatsapp": 0, "usageSage": 0}),
    ("inclusive end", JAN1, JAN1 + DAY_MS, {"usageSms": 3, "usageEmail": 10, "usageWhatsapp": 5, "usageSage": 0}),
    (
        "instants inside days",
        JAN1 + 5,
        JAN1 + DAY_MS + 7,
        {"usageSms": 3, "usageEmail": 10, "usageWhatsapp": 5, "usageSage": 0},
    ),
    ("all", 0, 10**15, {"usageSms": 7, "usageEmail": 10, "usageWhatsapp": 5, "usageSage": 0.5}),
    (
        "gap only",
        JAN1 + 2 * DAY_MS,
        JAN1 + 3 * DAY_MS,
        {"usageSms": 0, "usageEmail": 0, "usageWhatsapp": 0, "usageSage": 0},
    ),
    ("before", -(10**15), JAN1 - 1, {"usageSms": 0, "usageEmail": 0, "usageWhatsapp": 0, "usageSage": 0}),
]


@pytest.mark.parametrize(("name", "start", "end", "totals"), RANGES, ids=[r[0] for r in RANGES])
def test_range_sums(spec: Spec, name: str, start: int, end: int, totals: dict[str, float]) -> None:
    backend = build_backend(_data(), spec)
    op = spec.operations[0]
    cred = (Credential(op.security[0][0], GOOD_KEY),)
    body = backend.resolve(
        op, {"organizationId": "o1", "startDate": start, "endDate": end}, cred, {"data": {c: 0 for c in totals}}
    )
    assert body_of(body) == {"data": totals}


def test_refusals(spec: Spec) -> None:
    backend = build_backend(_data(), spec)
    op = spec.operations[0]
    scheme = op.security[0][0]
    values = {"startDate": 0, "endDate": 1}
    assert backend.authenticate(op, (Credential(scheme, "idt_live_short"),)) == Refusal(
        "unauthenticated", "malformed API key: it must match ^idt_live_[A-Za-z0-9]{32}$"
    )
    assert backend.authenticate(op, (Credential(scheme, "idt_live_" + "c" * 32),)) == Refusal(
        "unauthenticated", "unknown API key"
    )
    assert backend.authenticate(op, (Credential(scheme, GOOD_KEY),)) is None
    creds = (Credential(scheme, GOOD_KEY),)
    assert backend.resolve(op, {**values, "organizationId": "nope"}, creds, {}) == Refusal(
        "not_found", "organization 'nope' does not exist"
    )
    assert backend.resolve(op, {**values, "organizationId": "o2"}, creds, {}) == Refusal(
        "forbidden", "this API key may not read organization 'o2'"
    )


def test_a_known_key_of_another_shape_is_still_malformed(spec: Spec) -> None:
    # Known keys of the documented shape skip the pattern (checked at load); any other key is matched as before.
    data = _data()
    data["apiKeys"].append({"key": "idt_live_short", "organizations": ["o1"]})
    backend = build_backend(data, spec)
    assert backend.formed == {GOOD_KEY, OTHER_KEY}
    scheme = spec.operations[0].security[0][0]
    assert backend.authenticate(spec.operations[0], (Credential(scheme, "idt_live_short"),)) == Refusal(
        "unauthenticated", "malformed API key: it must match ^idt_live_[A-Za-z0-9]{32}$"
    )
    assert backend.authenticate(spec.operations[0], (Credential(scheme, GOOD_KEY),)) is None


BAD_DATA = [
    ("no keys", lambda d: {k: v for k, v in d.items() if k != "apiKeys"}, "", '"apiKeys" is a required property'),
    (
        "bad date",
        lambda d: d["organizations"][0]["usage"].update({"2025-13-01": {}}) or d,
        "/organizations/0/usage/2025-13-01",
        "not a date",
    ),
    (
        "negative",
        lambda d: d["organizations"][0]["usage"].update({"2025-02-01": {"usageSms": -1}}) or d,
        "/organizations/0/usage/2025-02-01/usageSms",
        "minimum",
    ),
    (
        "unknown channel",
        lambda d: d["organizations"][0]["usage"].update({"2025-02-01": {"usageFax": 1}}) or d,
        "/organizations/0/usage/2025-02-01",
        "'usageFax'",
    ),
    (
        "unknown org",
        lambda d: d["apiKeys"][0]["organizations"].append("zz") or d,
        "/apiKeys/0/organizations/1",
        "'zz' is not listed",
    ),
    ("duplicate org", lambda d: d["organizations"].append({"id": "o1"}) or d, "/organizations/2/id", "listed twice"),
    (
        "no organizations",
        lambda d: d.pop("organizations") and d,
        "",
        "no organizations: list them here, or give the daily usage in a CSV (--usage)",
    ),
    (
        "one day twice",
        lambda d: d["organizations"][0]["usage"].update({"2025-01-01T10:00:00Z": {"usageSms": 1}}) or d,
        "/organizations/0/usage/2025-01-01T10:00:00Z",
        "organization 'o1' has two rows for 2025-01-01 (the other at /organizations/0/usage/2025-01-01)",
    ),
    (
        "over int64",
        lambda d: d["organizations"][0]["usage"].update({"2025-02-01": {"usageEmail": 2**63}}) or d,
        "/organizations/0/usage/2025-02-01/usageEmail",
        "over 2**63 - 1, the most a count may be",
    ),
    ("unknown operation", lambda d: d.update({"operation": "nope"}) or d, "/operation", "no operation 'nope'"),
    ("an empty file", lambda d: None, "", "the file is empty: it must be a mapping with apiKeys and organizations"),
    ("a list", lambda d: [d], "", "the file holds a list: it must be a mapping with apiKeys and organizations"),
    (
        "NaN",  # YAML's .nan: the validator read it as null
        lambda d: d["organizations"][0]["usage"].update({"2025-02-01": {"usageSms": math.nan}}) or d,
        "/organizations/0/usage/2025-02-01/usageSms",
        "NaN is not a number JSON can hold",
    ),
    (
        "infinity",
        lambda d: d["organizations"][0]["usage"].update({"2025-02-01": {"usageSms": math.inf}}) or d,
        "/organizations/0/usage/2025-02-01/usageSms",
        "infinity is not a number JSON can hold",
    ),
    (
        "unknown parameter",
        lambda d: d.update({"parameters": {"start": "from"}}) or d,
        "/parameters/start",
        "no parameter 'from'",
    ),
]


@pytest.mark.parametrize(("name", "mutate", "location", "problem"), BAD_DATA, ids=[b[0] for b in BAD_DATA])
def test_bad_data_is_named(spec: Spec, name: str, mutate: Any, location: str, problem: str) -> None:
    with pytest.raises(DataError) as info:
        build_backend(mutate(_data()), spec, source="data.yaml")
    assert info.value.location == location
    assert problem in info.value.problem


def test_sample_data_loads(spec: Spec) -> None:
    backend = load_usage_data(DATA_PATH, spec)
    assert set(backend.table.spans) == {"org_1", "org_2", "org_3"}
    assert backend.keys[KEY] == {"org_1", "org_2"}
    assert [hi - lo for lo, hi in backend.table.spans.values()] == [365, 365, 365]


def test_unreadable_data_file(spec: Spec, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot read"):
        load_usage_data(tmp_path / "missing.yaml", spec)
    (tmp_path / "bad.yaml").write_text("apiKeys: [")
    with pytest.raises(DataError, match="not valid YAML"):
        load_usage_data(tmp_path / "bad.yaml", spec)


CSV_PATH = ROOT / "data" / "sample-usage.csv"
KEYS_PATH = ROOT / "data" / "sample-keys.yaml"


def test_the_csv_sample_holds_the_same_usage_as_the_yaml_sample(spec: Spec) -> None:
    from_yaml = load_usage_data(DATA_PATH, spec)
    from_csv = load_usage_data(KEYS_PATH, spec, usage=UsageFile(CSV_PATH, "sample-usage.csv"))
    assert from_csv.keys == from_yaml.keys
    assert from_csv.table.rows == from_yaml.table.rows == 3 * 365
    first = (dt.date(2024, 12, 1) - dt.date(1970, 1, 1)).days
    for org in ("org_1", "org_2", "org_3"):
        for start in range(first, first + 420, 37):
            for length in (0, 1, 6, 30, 400):
                assert from_csv.table.usage(org, start, start + length) == from_yaml.table.usage(
                    org, start, start + length
                )


def _csv_backend(spec: Spec, tmp_path: Path, keys: dict[str, Any], rows: str) -> Any:
    csv = tmp_path / "usage.csv"
    csv.write_text("organizationId,date,usageSms,usageWhatsapp,usageEmail,usageSage\n" + rows)
    return build_backend(keys, spec, source="keys.yaml", usage=UsageFile(csv, "usage.csv"))


def test_with_a_csv_the_organizations_come_from_both_files(spec: Spec, tmp_path: Path) -> None:
    keys = {
        "apiKeys": [{"key": GOOD_KEY, "organizations": ["o1", "o2"]}],
        "organizations": [{"id": "o2", "name": "Two"}],
    }
    backend = _csv_backend(spec, tmp_path, keys, "o1,2025-01-01,1,2,3,4\n")
    op = spec.operations[0]
    cred = (Credential(op.security[0][0], GOOD_KEY),)
    example = {"data": {"usageSms": 0, "usageWhatsapp": 0, "usageEmail": 0, "usageSage": 0}}
    values = {"startDate": JAN1, "endDate": JAN1}
    assert body_of(backend.resolve(op, {**values, "organizationId": "o1"}, cred, example)) == {
        "data": {"usageSms": 1, "usageWhatsapp": 2, "usageEmail": 3, "usageSage": 4}
    }
    assert body_of(backend.resolve(op, {**values, "organizationId": "o2"}, cred, example)) == example  # no rows
    assert backend.resolve(op, {**values, "organizationId": "o3"}, cred, example) == Refusal(
        "not_found", "organization 'o3' does not exist"
    )


@pytest.mark.parametrize(
    ("keys", "rows", "message"),
    [
        (
            {"apiKeys": [{"key": GOOD_KEY, "organizations": ["o9"]}]},
            "o1,2025-01-01,1,2,3,4\n",
            "keys.yaml#/apiKeys/0/organizations/0: organization 'o9' is not listed, nor in usage.csv",
        ),
        (
            {"apiKeys": [], "organizations": [{"id": "o1", "usage": {"2025-01-01": {"usageSms": 1}}}]},
            "",
            "keys.yaml#/organizations/0/usage: daily usage comes from usage.csv; list it there, not here",
        ),
        (
            {"apiKeys": []},
            "o1,2025-01-01,1,2,3,4\no1,2025-01-01,1,2,3,4\n",
            "usage.csv: line 3: organization 'o1' has two rows for 2025-01-01 (the other on line 2)",
        ),
        (
            {"apiKeys": [], "parameters": {"organization": "org"}},
            "",
            "keys.yaml#/parameters/organization: getOrganizationUsage has no parameter 'org'",
        ),
    ],
    ids=["key reads an unknown organization", "usage in both files", "fault in the csv", "fault in the yaml first"],
)
def test_faults_of_the_pair_name_their_file(
    spec: Spec, tmp_path: Path, keys: dict[str, Any], rows: str, message: str
) -> None:
    with pytest.raises(DataError) as info:
        _csv_backend(spec, tmp_path, keys, rows)
    assert str(info.value) == message


def test_the_organization_column_is_named_as_the_bound_parameter(spec: Spec, tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        _csv_backend(
            spec, tmp_path, {"apiKeys": [], "parameters": {"organization": "startDate"}}, "o1,2025-01-01,1,2,3,4\n"
        )
    assert str(info.value).startswith(
        "usage.csv: line 1: column 'organizationId' is not known; the columns are startDate, date"
    )


def test_a_usage_csv_needs_a_data_file_and_has_its_own_limit() -> None:
    from mockserver.settings import DEFAULTS, SettingsError, parse_settings

    with pytest.raises(SettingsError) as info:
        parse_settings({**DEFAULTS, "MOCK_USAGE": "usage.csv"})
    assert str(info.value) == (
        "setting MOCK_USAGE='usage.csv' is invalid: a usage CSV goes with a data file (MOCK_DATA) that lists the API keys"
    )
    settings = parse_settings({**DEFAULTS, "MOCK_DATA": "keys.yaml", "MOCK_USAGE": "usage.csv"})
    assert (settings.usage, settings.max_usage_bytes) == (Path("usage.csv"), 500 * 1024 * 1024)


def _deep(levels: int) -> Any:
    template: Any = {"usageSms": 0}
    for _ in range(levels):
        template = {"inner": template}
    return template


# Templates of every shape an example may take: answer_for compiles most of them into one
# function and fills the rest step by step; both must give the copy the plain recursion gives.
TEMPLATES = [
    ("the usage envelope", {"data": {"usageSms": 0, "usageWhatsapp": 0, "usageEmail": 0, "usageSage": 0}}),
    ("a channel twice", {"a": {"usageSms": 1}, "b": {"usageSms": 2}, "total": "x"}),
    ("lists, leaves and odd keys", {"items": [{"usageSms": 0, "note": None}, [1, "two"]], "%d": True, 3: "k"}),
    ("a fractional channel", {"usageSms": 0, "usageSage": 0.0}),
    ("no channel", {"data": {"other": 1}}),
    ("a list at the top", [{"usageEmail": 0}, {"usageEmail": 0}]),
    ("a marker's text inside", {"usageSms": 0, "x": "\x00usage channel 0\x00"}),
    ("deeper than compiled", _deep(40)),
    ("larger than compiled", {"rows": [{"usageSms": 0, "n": index} for index in range(1500)]}),
]


def _copy(template: Any, totals: dict[str, int | float]) -> Any:
    if isinstance(template, dict):
        return {key: totals[key] if key in totals else _copy(value, totals) for key, value in template.items()}
    if isinstance(template, list):
        return [_copy(item, totals) for item in template]
    return template


@pytest.mark.parametrize(("name", "template"), TEMPLATES, ids=[t[0] for t in TEMPLATES])
def test_compiled_answers_are_the_copy_with_the_totals(name: str, template: Any) -> None:
    from array import array

    from mockserver.usage_data import answer_for

    sums: dict[str, array[Any]] = {
        "usageSms": array("q", [0, 5, 7, 20]),
        "usageEmail": array("q", [0, 1, 1, 3]),
        "usageWhatsapp": array("q", [0, 0, 2, 2]),
        "usageSage": array("d", [0.0, 0.5, 1.5, 3.0]),
    }
    answer = answer_for(template, sums)
    for start, end in [(0, 0), (0, 3), (1, 2), (2, 3)]:
        totals: dict[str, int | float] = {}
        for channel, column in sums.items():
            total = column[end] - column[start]
            totals[channel] = int(total) if isinstance(total, float) and total.is_integer() else total
        result = answer(start, end)
        assert isinstance(result, Computed)
        assert result.value == _copy(template, totals)
        if result.json is not None:
            assert result.json == encode_body(result.value, "json")
