"""Whatever the mock sends, in any mode and for any Prefer combination, validates against the spec."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from tests.conftest import DATA_PATH, KEY
from usage_contract_kit.model import Spec

REQUESTS = {
    "valid": ("/organizations/org_1/usage?startDate=0&endDate=1767225599999", KEY),
    "no key": ("/organizations/org_1/usage?startDate=0&endDate=1", None),
    "implausible key": ("/organizations/org_1/usage?startDate=0&endDate=1", "nope"),
    "unknown key": ("/organizations/org_1/usage?startDate=0&endDate=1", "idt_live_" + "Q" * 32),
    "bad dates": ("/organizations/org_1/usage?startDate=x&endDate=1", KEY),
    "end before start": ("/organizations/org_1/usage?startDate=9&endDate=1", KEY),
    "unknown org": ("/organizations/nope/usage?startDate=0&endDate=1", KEY),
    "other tenant": ("/organizations/org_3/usage?startDate=0&endDate=1", KEY),
}


def _preferences(spec: Spec) -> Iterator[str | None]:
    yield None
    op = spec.operations[0]
    for status, response in op.responses.items():
        yield f"code={status}"
        yield f"code={status}, dynamic=true"
        for example in response.media.examples if response.media else ():
            yield f"code={status}, example={example.name}"
            yield f"example={example.name}"
    for seed in range(25):
        yield f"dynamic=true, seed={seed}"
    yield "code=418"
    yield "example=nope"
    yield "delay=bad"


@pytest.mark.parametrize("mode", ["example", "data"])
def test_every_response_matches_the_spec(mode: str, spec: Spec, make_app: Callable[..., Flask]) -> None:
    app = make_app(data=str(DATA_PATH)) if mode == "data" else make_app()
    client = app.test_client()
    op = spec.operations[0]
    seen = set()
    for (name, (url, key)), prefer in itertools.product(REQUESTS.items(), _preferences(spec)):
        headers = {k: v for k, v in (("X-API-Key", key), ("Prefer", prefer)) if v is not None}
        response = client.get(url, headers=headers)
        context = f"{mode} mode, {name}, Prefer: {prefer} -> {response.status_code}"
        documented = op.response(response.status_code)
        assert documented is not None, context
        assert documented.media is not None, context
        assert response.mimetype == documented.media.content_type, context
        assert documented.media.validator is not None
        problem = documented.media.validator.first_error(response.get_json())
        assert problem is None, f"{context}: {problem}"
        seen.add(response.status_code)
    assert seen == set(op.documented_statuses)
