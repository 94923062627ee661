from __future__ import annotations

from pathlib import Path

import pytest

from contract_tests.core.settings import Target, TargetError, load_targets, target_from

ENV = {
    "CONTRACT_BASE_URL": "http://env.test/",
    "CONTRACT_API_KEY": "k-env",
    "CONTRACT_WINDOW_START": "1",
    "CONTRACT_WINDOW_END": "2",
}


def test_environment_is_read() -> None:
    target = target_from({}, environ=ENV)
    assert target == Target(base_url="http://env.test", api_key="k-env", window_start=1.0, window_end=2.0)
    assert target.secrets == {"k-env": "CONTRACT_API_KEY"}


def test_new_settings_are_read_and_checked() -> None:
    target = target_from(
        {},
        environ={
            **ENV,
            "CONTRACT_RUN_BUDGET": "30",
            "CONTRACT_CA_BUNDLE": "/etc/ca.pem",
            "CONTRACT_ALLOW_PARTIAL": "1",
            "CONTRACT_STRICT": "yes",
        },
    )
    assert (target.run_budget, str(target.ca_bundle), target.allow_partial, target.strict) == (
        30.0,
        "/etc/ca.pem",
        True,
        True,
    )
    assert (Target(base_url="http://x").allow_partial, Target(base_url="http://x").strict) == (False, False)


def test_repr_hides_secrets() -> None:
    target = target_from({"other_api_key": "other-secret", "other_org_id": "o2"}, environ=ENV)
    text = repr(target)
    assert "k-env" not in text
    assert "other-secret" not in text
    assert "api_key='***'" in text
    assert "other_api_key='***'" in text
    assert "org_id=None" in text


def test_options_win_over_environment() -> None:
    target = target_from({"base_url": "https://opt.test", "api_key": "k-opt", "semantics": False}, environ=ENV)
    assert (target.base_url, target.api_key, target.semantics) == ("https://opt.test", "k-opt", False)


@pytest.mark.parametrize(
    ("values", "environ", "fragment"),
    [
        ({}, {}, "no target: set CONTRACT_BASE_URL"),
        ({"base_url": "example.com"}, {}, "must be an http:// or https:// URL"),
        ({"base_url": "http://127.0.0.1:99999"}, {}, "Port out of range"),
        ({"base_url": "http://127.0.0.1:abc"}, {}, "Port could not be cast"),
        ({"base_url": "http://ci:hunter2@api.test/v1"}, {}, r"base URL http://\*\*\*@api.test/v1: credentials"),
        ({"base_url": "https://api.test/v1?code=abc"}, {}, "must not have a query or a fragment"),
        ({"base_url": "https://api.test/v1#x"}, {}, "must not have a query or a fragment"),
        ({"base_url": "https://api.test/my api"}, {}, "holds a space or a control character"),
        ({"base_url": "https://api.test/v1\n"}, {}, "holds a space or a control character"),
        ({"base_url": "http://x", "timeout": "soon"}, {}, "CONTRACT_TIMEOUT='soon' is not a number"),
        ({"base_url": "http://x", "window_start": "1"}, {}, "set both CONTRACT_WINDOW_START and CONTRACT_WINDOW_END"),
        ({"base_url": "http://x", "window_start": "5", "window_end": "1"}, {}, "must not be earlier"),
        ({"base_url": "http://x", "semantics": "maybe"}, {}, "must be true or false"),
        ({"base_url": "http://x", "timeout": "nan"}, {}, "not a finite number"),
        ({"base_url": "http://x", "other_api_key": "k"}, {}, "needs CONTRACT_OTHER_ORG_ID"),
        ({"base_url": "http://x", "run_budget": "0"}, {}, "CONTRACT_RUN_BUDGET must be positive seconds"),
        (
            {"base_url": "http://x"},
            {"CONTRACT_API_KEY": "idt_live_secret\n"},
            r"CONTRACT_API_KEY holds a control character \('\\n', at its end\)",
        ),
        (
            {"base_url": "http://x", "other_org_id": "o"},
            {"CONTRACT_OTHER_API_KEY": "idt_\rlive_secret"},
            r"CONTRACT_OTHER_API_KEY holds a control character \('\\r', at position 4\)",
        ),
        (
            {"base_url": "http://x", "allow_partial": "perhaps"},
            {},
            "CONTRACT_ALLOW_PARTIAL='perhaps' must be true or false",
        ),
    ],
)
def test_bad_settings_are_named(values: dict[str, str], environ: dict[str, str], fragment: str) -> None:
    with pytest.raises(TargetError, match=fragment) as caught:
        target_from(values, environ=environ)
    assert "hunter2" not in str(caught.value)


def test_targets_file_reads_keys_from_named_variables(tmp_path: Path) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(
        "targets:\n  - {name: a, base_url: 'http://a', api_key_env: A_KEY, org_id: o}\n  - {base_url: 'http://b'}\n"
    )
    first, second = load_targets(path, environ={"A_KEY": "secret-a", "CONTRACT_API_KEY": "not used"})
    assert (first.name, first.api_key, first.org_id) == ("a", "secret-a", "o")
    assert (second.name, second.api_key) == ("target-2", None)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("targets: []", "non-empty list 'targets'"),
        ("targets: [{base_url: 'http://a', api_key: plain}]", "unknown key 'api_key'"),
        ("targets: [{base_url: 'http://a', api_key_env: NOPE}]", r"NOPE \(api_key_env\) is not set"),
        ("targets: [{name: a, base_url: 'http://a'}, {name: a, base_url: 'http://b'}]", "name 'a' is used twice"),
        ("targets: [{base_url: 'nope'}]", r"targets\[0\]: base URL 'nope'"),
        ("targets: [", "not valid YAML"),
        ("targets: [{name: ../../etc, base_url: 'http://a'}]", r"name '\.\./\.\./etc' must be 1 to 64 letters"),
        ("targets: [{name: /tmp/x, base_url: 'http://a'}]", "names the target's report folder"),
        ("targets: [{name: '..', base_url: 'http://a'}]", "must be 1 to 64"),
    ],
)
def test_bad_targets_files(text: str, fragment: str, tmp_path: Path) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(text)
    with pytest.raises(TargetError, match=fragment):
        load_targets(path, environ={})
