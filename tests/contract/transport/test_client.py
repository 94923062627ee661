"""The suite's client is bounded whatever the target does (in process, over loopback)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from contract_tests.transport.client import FAILURES_IN_ALL, MAX_BODY, SLOW_IN_A_ROW, Client, TargetUnreachable
from tests.contract import hostile
from tests.contract.harness import ROOT, serving
from tests.contract.implementations import KEY, ORG, Implementation
from tests.contract.tls import make_private_ca

SECRETS = {KEY: "CONTRACT_API_KEY"}
GOOD = f"/organizations/{ORG}/usage"
QUERY = [("startDate", "1735689600000"), ("endDate", "1735775999999")]

pytestmark = pytest.mark.server  # loopback servers, raw and WSGI


def _client(address: str, **options: float) -> Client:
    return Client(f"http://{address}", timeout=options.pop("timeout", 2.0), secrets=SECRETS, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("behaviour", "fragment"),
    [
        (hostile.gzip_bomb, "larger than 10 MB"),
        (hostile.endless_body, "larger than 10 MB"),
    ],
    ids=["gzip bomb", "endless body"],
)
def test_bodies_are_capped_after_decompression(behaviour: hostile.Spoil, fragment: str) -> None:
    hostile.prepare()
    with hostile.raw_server(hostile.like_reference(behaviour)) as address:
        client = _client(address)
        started = time.monotonic()
        with pytest.raises(TargetUnreachable, match=fragment):
            client.request("GET", GOOD, query=QUERY, headers={"X-API-Key": KEY})
        assert time.monotonic() - started < 30
        # Refusals are not capped away: the target still answers them.
        assert client.request("GET", GOOD, query=QUERY).reply.status == 401
    assert MAX_BODY == 10 * 1024 * 1024


@pytest.mark.parametrize(
    "spoil",
    [hostile.byte_a_second, hostile.body_a_byte_a_second],
    # The second's head says Connection: close, so http.client hands the socket to the
    # response: the deadline must still reach it (it read on for as long as the body lasted).
    ids=["a byte a second", "a closing head, then a body byte a second"],
)
def test_a_trickling_answer_stops_at_the_deadline(spoil: hostile.Spoil) -> None:
    with hostile.raw_server(hostile.like_reference(spoil)) as address:
        # A byte a second never lets a 1.5 s read timeout fire: only the deadline ends it.
        client = _client(address, timeout=1.5)
        started = time.monotonic()
        with pytest.raises(TargetUnreachable, match=r"no complete answer within 4\.5 s"):
            client.request("GET", GOOD, query=QUERY, headers={"X-API-Key": KEY})
        assert 4.4 < time.monotonic() - started < 20


def test_a_body_shorter_than_its_content_length_is_refused() -> None:
    body = b'{"data": {"usageSms": 1, "usageWhatsapp": 1, "usageEmail": 1, "usageSage": 1}}'

    def short(conn: socket.socket, request: bytes) -> None:  # the whole JSON, then a close 10 bytes early
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body) + 10}\r\n\r\n"
        conn.sendall(head.encode() + body)

    with hostile.raw_server(short) as address:
        client = _client(address)
        with pytest.raises(TargetUnreachable, match=r"connection closed after \d+ of the \d+ bytes") as caught:
            client.request("GET", GOOD, query=QUERY, headers={"X-API-Key": KEY})
        assert f"after {len(body)} of the {len(body) + 10} bytes" in str(caught.value)
        assert caught.value.answered


def test_a_body_in_a_coding_the_request_did_not_accept_is_refused() -> None:
    body = b'{"data": {"usageSms": 1, "usageWhatsapp": 1, "usageEmail": 1, "usageSage": 1}}'

    def brotli_label(conn: socket.socket, request: bytes) -> None:  # plain JSON labelled br: browsers fail on it
        assert b"accept-encoding: gzip, deflate\r\n" in request.lower()
        hostile.send(conn, (200, [("Content-Type", "application/json"), ("Content-Encoding", "br")], body))

    with hostile.raw_server(brotli_label) as address:
        client = _client(address)
        with pytest.raises(TargetUnreachable, match=r"Content-Encoding 'br', which the request did not accept"):
            client.request("GET", GOOD, query=QUERY, headers={"X-API-Key": KEY})


def test_a_failed_request_is_carried_for_its_replay() -> None:
    with hostile.raw_server(lambda conn, request: conn.close()) as address:
        client = _client(address)
        with pytest.raises(TargetUnreachable, match="connection closed or reset") as caught:
            client.request("HEAD", GOOD, query=QUERY, headers={"Cookie": f"session={KEY}"})
    sent = caught.value.sent
    assert sent is not None
    assert (sent.method, sent.url) == ("HEAD", f"http://{address}{GOOD}?startDate=1735689600000&endDate=1735775999999")
    assert ("Cookie", f"session={KEY}") in sent.headers


def test_a_target_failing_every_other_request_is_given_up_on() -> None:
    # Never three failures in a row: the total stops it, where each failure could cost a timeout.
    served = [0]

    def every_other(conn: socket.socket, request: bytes, answer: hostile.Response) -> None:
        served[0] += 1
        if served[0] % 2:
            conn.close()
        else:
            hostile.send(conn, answer)

    with hostile.raw_server(hostile.like_reference(every_other)) as address:
        client = _client(address)
        failures = 0
        for _ in range(4 * FAILURES_IN_ALL):
            try:
                client.request("GET", GOOD, query=QUERY, headers={"X-API-Key": KEY, "Connection": "close"})
            except TargetUnreachable as exc:
                failures += 1
                if "no further requests sent" in str(exc):
                    break
        else:
            pytest.fail("the target was never taken as down")
    assert failures == FAILURES_IN_ALL + 1
    assert client.down is not None
    assert f"({FAILURES_IN_ALL} requests of this run got no usable answer)" in client.down


@pytest.mark.parametrize("close", [False, True], ids=["kept alive", "closing"])
def test_a_body_sent_after_an_answer_to_head_is_seen(close: bool) -> None:
    body = b'{"data": {"usageSms": 1, "usageWhatsapp": 1, "usageEmail": 1, "usageSage": 1}}'
    closing = "Connection: close\r\n" if close else ""

    def head_with_body(conn: socket.socket, request: bytes) -> None:  # as for GET: the body too
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n{closing}\r\n"
        conn.sendall(head.encode() + body)
        time.sleep(0.5)

    with hostile.raw_server(head_with_body) as address:
        client = _client(address)
        reply = client.request("HEAD", GOOD, query=QUERY, headers={"X-API-Key": KEY}).reply
        client.close()
    assert reply.body.startswith(b'{"data"')


def test_an_answer_to_head_without_a_body_has_none() -> None:
    with serving(Implementation("reference", answers_head=True)) as base_url:
        client = Client(base_url, timeout=2, secrets=SECRETS)
        replies = [client.request("HEAD", GOOD, query=QUERY, headers={"X-API-Key": KEY}).reply for _ in range(3)]
        after = client.request("GET", GOOD, query=QUERY, headers={"X-API-Key": KEY}).reply
        client.close()
    assert [(r.status, r.body) for r in replies] == [(200, b"")] * 3
    assert after.status == 200
    assert after.body.startswith(b'{"data"')


class _LateWatchdog:
    """A watchdog that has not fired yet when the socket's own timeout ends the wait."""

    def arm(self, connection: object, seconds: float) -> object:
        return object()

    def disarm(self, watch: object) -> bool:
        return False


def test_the_budget_is_named_when_the_socket_timeout_cut_to_it_comes_first() -> None:
    # The socket's timeout is cut to what is left of the budget, and races the watchdog for it.
    with hostile.raw_server(lambda conn, request: time.sleep(3)) as address:
        client = _client(address, timeout=30, run_budget=1.0)
        client._watchdog = _LateWatchdog()  # type: ignore[assignment]
        with pytest.raises(TargetUnreachable, match="time budget of 1 s is spent"):
            client.request("GET", GOOD, query=QUERY, headers={"X-API-Key": KEY})


def test_the_run_budget_stops_a_request_in_flight() -> None:
    with hostile.raw_server(hostile.like_reference(hostile.byte_a_second)) as address:
        client = _client(address, timeout=30, run_budget=1.0)
        started = time.monotonic()
        with pytest.raises(TargetUnreachable, match="time budget of 1 s is spent"):
            client.request("GET", GOOD, query=QUERY, headers={"X-API-Key": KEY})
        assert time.monotonic() - started < 15
        with pytest.raises(TargetUnreachable, match="no further requests sent"):
            client.request("GET", GOOD, query=QUERY)


def test_targets_are_sent_exactly_as_given() -> None:
    seen: list[bytes] = []

    def record(conn: socket.socket, request: bytes) -> None:
        seen.append(request.split(b"\r\n", 1)[0])
        hostile.send(conn, (404, [("Content-Type", "application/json")], b"{}"))

    with hostile.raw_server(record) as address:
        client = _client(address)
        client.request("GET", "/organizations/a%2F..%2Fb/../c%ZZ/usage", raw_query="startDate=%FF&x=%")
    assert seen == [b"GET /organizations/a%2F..%2Fb/../c%ZZ/usage?startDate=%FF&x=% HTTP/1.1"]


def test_keep_alive_and_threads() -> None:
    with serving(Implementation("reference")) as base_url:
        client = Client(base_url, timeout=2, secrets=SECRETS)
        results: list[int] = []

        def read() -> None:
            for _ in range(10):
                results.append(client.request("GET", GOOD, query=QUERY, headers={"X-API-Key": KEY}).reply.status)

        threads = [threading.Thread(target=read) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        client.close()
    assert results == [200] * 60


class _Slow:
    """Answers like the reference, after ``delays[n]`` seconds for the n-th request."""

    def __init__(self, *delays: float) -> None:
        self.delays = list(delays)
        self.app = Implementation("reference")

    def __call__(self, environ: dict[str, object], start_response: object) -> object:
        if self.delays:
            time.sleep(self.delays.pop(0))
        return self.app(environ, start_response)  # type: ignore[arg-type]


def test_a_slow_answer_is_retried_and_counts_only_when_slow_again() -> None:
    with serving(_Slow(0.7, 0.0, 0.7, 0.7)) as base_url:
        client = Client(base_url, timeout=5, secrets=SECRETS, latency_budget=0.35)
        client.request("GET", GOOD, query=QUERY)  # slow, then fast on retry: a busy moment
        assert client.slow == []
        client.request("GET", GOOD, query=QUERY)  # slow twice: counted
        assert [s.repeated for s in client.slow] == [True]
        assert client.down is None


def test_a_target_slow_every_time_is_given_up_on() -> None:
    with serving(_Slow(*[0.3] * 10)) as base_url:
        client = Client(base_url, timeout=2, secrets=SECRETS, latency_budget=0.1)
        for _ in range(SLOW_IN_A_ROW // 2):
            client.request("GET", GOOD, query=QUERY)
        assert client.down is not None
        assert "too slow" in client.down
        with pytest.raises(TargetUnreachable, match=r"latency budget of 0\.1 s"):
            client.request("GET", GOOD, query=QUERY)


def test_fuzz_cases_go_through_the_client() -> None:
    schema = schemathesis.openapi.from_path(str(ROOT / "openapi.yaml"), config=SchemathesisConfig())
    operation = schema["/organizations/{organizationId}/usage"]["GET"]
    case = operation.Case(
        path_parameters={"organizationId": ORG},
        query={"startDate": 1735689600000, "endDate": [1735775999999]},
        headers={"X-API-Key": KEY},
    )
    hostile.prepare()
    with hostile.raw_server(hostile.like_reference(hostile.gzip_bomb)) as address:
        client = _client(address)
        with pytest.raises(TargetUnreachable, match="larger than 10 MB"):
            client.send_case(case)
    with serving(Implementation("reference")) as base_url:
        exchange = Client(base_url, timeout=2, secrets=SECRETS).send_case(case)
    assert exchange.reply.status == 200
    assert exchange.sent.url.endswith(f"{GOOD}?startDate=1735689600000&endDate=1735775999999")
    assert ("X-API-Key", KEY) in exchange.sent.headers


@pytest.fixture(scope="module")
def private_ca(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return make_private_ca(tmp_path_factory.mktemp("ca"))


def test_a_private_ca_is_trusted_only_when_given(private_ca: tuple[Path, Path, Path]) -> None:
    ca, certificate, key = private_ca
    with serving(Implementation("reference"), ssl_context=(str(certificate), str(key))) as base_url:
        with pytest.raises(TargetUnreachable, match="TLS error"):
            Client(base_url, timeout=2, secrets=SECRETS).request("GET", GOOD, query=QUERY)
        client = Client(base_url, timeout=2, secrets=SECRETS, ca_bundle=str(ca))
        assert client.request("GET", GOOD, query=QUERY, headers={"X-API-Key": KEY}).reply.status == 200
