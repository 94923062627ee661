from __future__ import annotations

import base64

import pytest

from contract_tests.core.leaks import leak_problems

KEY = "idt_live_0123456789abcdefABCDEF0123456789"


def _problems(body: str, request_text: str = "/organizations/org_1/usage") -> list[str]:
    return leak_problems(
        body.encode(),
        secrets={KEY: "CONTRACT_API_KEY"},
        envelope=("data",),
        figure_names={"usageSms", "usageEmail"},
        allowed_words={"ValidationError", "Forbidden"},
        request_text=request_text,
        code_fields={"error", "code"},
    )


@pytest.mark.parametrize(
    "body",
    [
        '{"error": "ValidationError", "message": "startDate is not a number"}',
        '{"error": "Forbidden", "message": "no", "requestId": "req-1"}',
        '{"error": "x", "message": "organization \'FooError\' does not exist"}',
        '{"error": "x", "message": "no such path /srv/thing"}',
        # An API's own codes, as the value of a code property: not an exception that escaped.
        '{"error": "AuthenticationError", "message": "the key is not valid"}',
        '{"error": {"code": "ResourceNotFoundException", "message": "no organization org_9"}}',
        '{"error": "AuthorizationError", "message": "AuthorizationError: the key may not read it"}',
        # An envelope with nothing in it carries no usage.
        '{"data": null, "error": "Forbidden", "message": "no"}',
        '{"data": {}, "error": "Forbidden", "message": "no"}',
        # Words of a query in plain prose, lower case: not a query.
        '{"error": "ValidationError", "message": "select a start date from the calendar, then update the range"}',
    ],
)
def test_clean_error_bodies(body: str) -> None:
    assert _problems(body, request_text="/organizations/FooError/usage /srv/thing") == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (f'{{"message": "bad key {KEY}"}}', "the key of CONTRACT_API_KEY"),
        (f'{{"message": "bad key {KEY[:-1]}"}}', "12 or more characters of the key"),
        (f'{{"message": "{KEY[::-1]}"}}', "the key of CONTRACT_API_KEY reversed"),
        (f'{{"message": "{base64.b64encode(KEY.encode()).decode()}"}}', "in base64"),
        (
            f'{{"hint": "Basic {base64.b64encode(f"api:{KEY}".encode()).decode()}"}}',
            "the key of CONTRACT_API_KEY in base64",
        ),
        (
            f'{{"hint": "{base64.urlsafe_b64encode(f"k={KEY}".encode()).decode()}"}}',
            "the key of CONTRACT_API_KEY in base64",
        ),
        (
            f'{{"hint": "{base64.b64encode(KEY[:-1].encode()).decode()}"}}',
            "part of the key of CONTRACT_API_KEY in base64",
        ),
        ('{"debug": "' + "".join(f"\\u{ord(c):04x}" for c in KEY) + '"}', "the key of CONTRACT_API_KEY"),
        ('{"debug": "' + "".join(f"\\u{ord(c):04X}" for c in KEY[:20]) + '"}', "12 or more characters of the key"),
        ('{"error": "Forbidden", "data": {"x": 1}}', "the success body's 'data'"),
        ('{"error": "Forbidden", "detail": {"usageSms": 5}}', "usage figures (usageSms)"),
        ('{"message": "Traceback (most recent call last):\\n  File \\"/srv/a.py\\", line 3"}', "a stack trace"),
        ('{"message": "at com.acme.Usage.sum(Usage.java:42)"}', "a stack trace"),
        ('{"message": "failed in /home/app/usage/api.py"}', "a file path"),
        ('{"message": "boom at api.js:12"}', "a source file"),
        ('{"message": "KeyError: org_1"}', "an exception name ('KeyError')"),
        ('{"message": "java.lang.NullPointerException"}', "an exception name ('java.lang.NullPointerException')"),
        # A runtime's exception sent as the code, a qualified name, or a name in free text.
        ('{"error": "KeyError", "message": "org_9"}', "an exception name ('KeyError')"),
        ('{"code": "NullPointerException", "message": "x"}', "an exception name ('NullPointerException')"),
        ('{"error": "sqlalchemy.exc.IntegrityError", "message": "x"}', "an exception name ('sqlalchemy.exc."),
        ('{"error": "Forbidden", "message": "UsageLookupError: org_9"}', "an exception name ('UsageLookupError')"),
        ('{"error": "Forbidden", "data": 0}', "the success body's 'data'"),
        (
            '{"error": "ResourceNotFound", "message": "no row for SELECT id, plan FROM organizations WHERE id = %s"}',
            "a database query or error ('SELECT id, plan FROM organizations')",
        ),
        ('{"error": "x", "message": "SQLSTATE[42S02]: base table not found"}', "a database query or error"),
        ('{"error": "x", "message": "ORA-00942: table or view does not exist"}', "a database query or error"),
        ('{"error": "x", "message": "syntax error at or near \\"usage\\""}', "a database query or error"),
    ],
)
def test_leaky_error_bodies(body: str, fragment: str) -> None:
    problems = _problems(body)
    assert any(fragment in p for p in problems), problems


def test_a_piece_of_the_key_that_the_url_held_is_an_echo() -> None:
    assert (
        _problems('{"message": "no organization 0123456789abcdefAB"}', "/organizations/0123456789abcdefAB/usage") == []
    )
    # ...but the whole key is a leak wherever the caller put it.
    assert _problems(f'{{"message": "{KEY}"}}', f"/usage?api_key={KEY}")


def test_deep_bodies_do_not_break_the_check() -> None:
    deep = "[" * 900 + "]" * 900
    assert _problems(deep) == []
    assert _problems("[" * 100_000) == []
