"""The WSGI shell: request bodies read within their limit, header names as the spec spells them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from mockserver.core.wire import parse_query
from mockserver.journal import SEGMENTS, Journal
from tests.conftest import ROOT
from tests.mockserver.fidelity import answer_problems
from usage_contract_kit.spec import load_spec

PETSHOP = ROOT / "tests" / "specs" / "petshop.yaml"
FILES = ROOT / "tests" / "specs" / "filestore.yaml"
PET = b'{"name": "Bella", "photoUrls": ["https://img.example.com/b.jpg"]}'


@pytest.mark.parametrize(
    ("headers", "status"),
    [({"api_key": "k"}, 200), ({"API_KEY": "k"}, 200), ({"api-key": "k"}, 200), ({"apikey": "k"}, 401), ({}, 401)],
    ids=["as documented", "another case", "a dash: WSGI merges it with the underscore", "another name", "none"],
)
def test_a_header_named_with_an_underscore(
    make_app: Callable[..., Flask], headers: dict[str, str], status: int
) -> None:
    assert make_app(PETSHOP).test_client().get("/store/inventory", headers=headers).status_code == status


def test_a_body_over_the_limit_is_refused_with_the_documented_status(make_app: Callable[..., Flask]) -> None:
    client = make_app(FILES, max_body_mb=0.001).test_client()  # 1,048 bytes
    auth = {"Authorization": "Bearer t", "Content-Type": "application/octet-stream"}
    assert client.put("/files/a.bin", data=b"x" * 1000, headers=auth).status_code == 204
    response = client.put("/files/a.bin", data=b"x" * 5000, headers=auth)
    # replaceFile documents no 413, but a `default` response, which stands for it.
    assert response.status_code == 413
    assert "larger than the limit of 1,048 bytes (MOCK_MAX_BODY_MB)" in response.get_json()["error"]["message"]
    multipart = {"Authorization": "Bearer t", "Content-Type": "multipart/form-data; boundary=B"}
    assert client.post("/files", data=b"x" * 5000, headers=multipart).status_code == 413  # documented as such


def test_a_chunked_body_is_read_too(make_app: Callable[..., Flask]) -> None:
    client = make_app(PETSHOP).test_client()
    headers = {"api_key": "k", "Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    environ = {"wsgi.input_terminated": True}
    response = client.post("/pets", data=PET, headers=headers, environ_overrides=environ)
    assert response.status_code == 201


def test_head_sends_the_headers_without_the_body(make_app: Callable[..., Flask]) -> None:
    response = make_app(PETSHOP).test_client().head("/pets/1", headers={"api_key": "k"})
    assert (response.status_code, response.data) == (200, b"")
    assert response.headers["ETag"].startswith('W/"')


FORMS = ROOT / "tests" / "specs" / "forms.yaml"


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ("topic=news", {"topic": ["news"]}),
        ("topic=news&topic=offers&since=", {"topic": ["news", "offers"], "since": [""]}),
        ("topic=new%73&x=a+b&%zz=%E2%82%AC", {"topic": ["news"], "x": ["a b"], "%zz": ["€"]}),
        ("api_key=idt_live_0123456789abcdef&topic=news", {"api_key": ["idt_live_***"], "topic": ["news"]}),
        ("topic=news&api_key=short", {"topic": ["news"], "api_key": ["***"]}),
        ("", {}),
    ],
    ids=["one", "repeated and empty", "encoded", "a key in the query", "a short key", "none"],
)
def test_the_journal_keeps_the_query_as_parsed_with_secrets_redacted_and_the_duration_rounded(
    make_app: Callable[..., Flask], query: str, kept: dict[str, list[str]]
) -> None:
    app = make_app(FORMS)
    client = app.test_client()
    client.get("/subscriptions?" + query)
    (entry,) = client.get("/__admin/requests").get_json()["requests"]
    assert entry["query"] == kept
    assert entry["durationMs"] >= 0
    assert entry["durationMs"] == round(entry["durationMs"], 3)  # to the microsecond
    stored = _recorded(app.extensions["mockserver"].journal)
    assert b"news" in stored or not query  # what the journal wrote is there to search
    assert b"0123456789abcdef" not in stored
    assert b"short" not in stored


@pytest.mark.parametrize(
    "query",
    ["startDate=1&endDate=2", "startDate=1&startDate=2&x=&&y", "x=a+b&%zz=%E2%82%AC&n%61me=v%3Dw", ""],
    ids=["plain", "repeated, empty and bare", "encoded", "none"],
)
def test_a_query_kept_as_text_is_listed_as_the_request_parsed_it(make_app: Callable[..., Flask], query: str) -> None:
    """Without a key that may travel in the query, the journal keeps the text and parses it when listing."""
    client = make_app().test_client()
    client.get("/organizations/org_1/usage?" + query)
    (entry,) = client.get("/__admin/requests").get_json()["requests"]
    assert entry["query"] == parse_query(query)


def _recorded(journal: Journal) -> bytes:
    """Every byte the journal's writers have written (its whole map is mostly pages never touched)."""
    memory = journal._memory
    parts = [memory[: journal._table_size]]
    for segment in range(SEGMENTS):
        base = journal._base(segment)
        reserved = int.from_bytes(memory[base + 8 : base + 16], "little")
        parts.append(memory[base : base + journal._data + min(reserved, journal.ring_bytes)])
    return b"".join(parts)


@pytest.mark.parametrize(
    ("path", "admin"),
    [
        ("/__admin/requests", True),
        ("/__admin", True),
        ("/__admin/", True),
        ("/__adminx/requests", False),
        ("/__admi", False),
        ("/nothing", False),
    ],
)
def test_the_admin_interface_takes_its_prefix_and_nothing_else(
    make_app: Callable[..., Flask], path: str, admin: bool
) -> None:
    """A path under the admin prefix is the admin's (its own 404 if it has no route); any other is the spec's."""
    answer = make_app().test_client().get(path)
    spec_refusal = f"no operation at path '{path}'" in answer.get_data(as_text=True)
    assert spec_refusal is not admin


GATEWAY = ROOT / "tests" / "specs" / "gateway.yaml"  # a documented CORS header, a count, a bodyless 400


def test_a_refusal_without_a_body_says_why_in_a_header_a_page_can_read(
    make_app: Callable[..., Flask],
) -> None:
    client = make_app(GATEWAY).test_client()
    response = client.get("/items?limit=0", headers={"Origin": "http://app.test"})
    assert (response.status_code, response.data) == (400, b"")
    assert "limit" in response.headers["X-Mock-Refusal"]
    assert "X-Mock-Refusal" in response.headers["Access-Control-Expose-Headers"].split(", ")
    assert "X-Mock-Refusal" not in client.get("/items?limit=3").headers


@pytest.mark.parametrize(
    ("target", "headers", "status", "said"),
    [
        ("/organizations/org_1/usage?startDate=2025-01-01&endDate=2025-01-31", {}, 401, "credentials are required"),
        (
            "/organizations/org_1/usage?startDate=2025-13-01&endDate=2025-01-31",
            {"X-API-Key": "idt_live_" + "a" * 32},
            422,
            "startDate",
        ),
        ("/nowhere", {}, 404, "no operation at path '/nowhere'"),
    ],
)
def test_a_refusal_to_head_says_why_in_a_header_since_its_body_is_not_sent(
    make_app: Callable[..., Flask], target: str, headers: dict[str, str], status: int, said: str
) -> None:
    client = make_app().test_client()
    response = client.head(target, headers={**headers, "Origin": "http://app.test"})
    assert (response.status_code, response.data) == (status, b"")
    assert said in response.headers["X-Mock-Refusal"]
    assert "X-Mock-Refusal" in response.headers["Access-Control-Expose-Headers"].split(", ")
    assert "X-Mock-Refusal" not in client.get(target, headers=headers).headers  # the body says it


@pytest.mark.parametrize("origins", [None, "http://app.test"], ids=["any origin", "a list"])
def test_cors_headers_a_spec_documents_give_way_to_the_mocks_policy(
    make_app: Callable[..., Flask], origins: str | None
) -> None:
    client = make_app(GATEWAY, **({"cors_origins": origins} if origins else {})).test_client()
    # A browser gets one Access-Control-Allow-Origin, the mock's: two would make it refuse the answer.
    answer = client.get("/items?limit=2", headers={"Origin": "http://app.test"})
    assert answer.headers.getlist("Access-Control-Allow-Origin") == ["http://app.test" if origins else "*"]
    assert answer.headers["Access-Control-Expose-Headers"] == "X-Total-Count"
    # Another client gets the headers as the spec documents them.
    assert client.get("/items?limit=2").headers.getlist("Access-Control-Allow-Origin") == ["https://b.test"]


def test_a_key_sent_as_a_cookie_is_journalled_redacted(make_app: Callable[..., Flask]) -> None:
    app = make_app(FORMS)
    client = app.test_client(use_cookies=False)  # the Cookie header as written here
    secret = "s3cr3tSessionValue0123456789"
    assert client.get("/subscriptions", headers={"Cookie": f"locale=fr; SESSIONID={secret}"}).status_code == 200
    (entry,) = client.get("/__admin/requests").get_json()["requests"]
    # By the cookie's name, redacted as a header's key is; the other cookie is no credential.
    assert list(entry["credentials"]) == ["SESSIONID"]
    assert entry["credentials"]["SESSIONID"].endswith("***")
    assert secret not in entry["credentials"]["SESSIONID"]
    assert secret.encode() not in _recorded(app.extensions["mockserver"].journal)


@pytest.mark.parametrize("headers", [{}, {"Prefer": "code=401"}], ids=["no token", "a 401 asked for"])
def test_a_401_challenges_a_page_can_read_and_still_follows_the_contract(
    make_app: Callable[..., Flask], headers: dict[str, str]
) -> None:
    operation = next(op for op in load_spec(FILES).operations if op.operation_id == "listFiles")
    response = make_app(FILES).test_client().get("/files", headers={"Origin": "http://app.test", **headers})
    assert response.status_code == 401
    assert response.headers.getlist("WWW-Authenticate") == ['Bearer realm="File store"']
    assert "WWW-Authenticate" in response.headers["Access-Control-Expose-Headers"].split(", ")
    problems = answer_problems(
        operation, 401, dict(response.headers), response.headers.get("Content-Type"), response.data
    )
    assert problems == []


@pytest.mark.parametrize(
    ("form", "status"),
    [
        (b"username=ada&password=correct-horse&extra=1&extra=2", 200),
        (b"username=ada&password=correct-horse&remember=true&remember=false", 400),
    ],
    ids=["a field the schema does not declare, twice", "a declared one, twice"],
)
def test_a_field_the_form_does_not_declare_may_be_repeated(
    make_app: Callable[..., Flask], form: bytes, status: int
) -> None:
    response = (
        make_app(FORMS)
        .test_client()
        .post("/login", data=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
    )
    assert response.status_code == status, response.data


@pytest.mark.parametrize(
    ("length", "status"), [("0", 204), (None, 400)], ids=["Content-Length: 0, an empty file", "no length, no body"]
)
def test_an_empty_upload_is_a_body(make_app: Callable[..., Flask], length: str | None, status: int) -> None:
    client = make_app(FILES).test_client()
    headers = {"Authorization": "Bearer t", "Content-Type": "application/octet-stream"}
    environ = {"CONTENT_LENGTH": length} if length is not None else {}
    response = client.put("/files/a.txt", data=b"", headers=headers, environ_overrides=environ)
    assert response.status_code == status, response.data
    if length is None:
        assert "a request body is required" in response.get_json()["error"]["message"]
