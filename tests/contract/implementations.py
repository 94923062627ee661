"""Independent implementations of the usage API, correct and defective, to prove the suite.

``Implementation`` is a small WSGI app written from the contract, not from the mock. Each
entry of ``DEFECTS`` switches on one realistic defect and names the checks meant to catch
it; ``CORRECT`` lists implementations that differ from the mock in legitimate ways (other
check order, extra fields, other messages, ``charset`` in the content type, whole numbers
written as floats) and must pass.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

KEY = "idt_live_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6"
OTHER_KEY = "idt_live_" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp"
ORG, OTHER_ORG, MISSING_ORG = "org_alpha", "org_beta", "org_missing"
READS = {KEY: {ORG}, OTHER_KEY: {OTHER_ORG}}
CHANNELS = ("usageSms", "usageWhatsapp", "usageEmail", "usageSage")
DAY_MS = 86_400_000
FIRST_DAY = (dt.date(2025, 1, 1) - dt.date(1970, 1, 1)).days
WINDOW = (FIRST_DAY * DAY_MS, (FIRST_DAY + 59) * DAY_MS - 1)  # Jan-Feb 2025, historical
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
_PATH = re.compile(r"^/organizations/([^/]+)/usage$")


def _daily(org: str, day: int, channel: int) -> int:
    """Deterministic usage of one channel on one day of 2025 (none outside 2025)."""
    if not FIRST_DAY <= day < FIRST_DAY + 365:
        return 0
    return (day * (channel + 3) + len(org) * 7) % 97


class Refused(Exception):
    def __init__(self, status: int, error: str, message: str) -> None:
        self.status, self.error, self.message = status, error, message


@dataclass(frozen=True)
class Implementation:
    """The usage API; every field but ``name`` is a switch, off (correct) by default."""

    name: str
    catches: tuple[str, ...] = ()  # checks meant to catch the defect
    # legitimate differences
    resource_before_validation: bool = False
    extra_fields: bool = False
    other_messages: bool = False
    charset: bool = False
    float_counts: bool = False
    # defects
    accept_any_key: bool = False
    no_key_allowed: bool = False
    prefix_only_key_check: bool = False
    case_insensitive_keys: bool = False
    key_prefix_match: bool = False
    truncated_key_match: bool = False
    missing_key_403: bool = False
    always_401: bool = False
    bearer_accepted: bool = False
    auth_body_without_message: bool = False
    unknown_key_crash: bool = False
    no_tenancy: bool = False
    forbidden_as_404: bool = False
    missing_as_403: bool = False
    missing_org_zeros: bool = False
    missing_org_crash: bool = False
    python_float_parse: bool = False
    integers_only: bool = False
    hex_accepted: bool = False
    no_range_rule: bool = False
    strict_range_rule: bool = False
    validation_400: bool = False
    missing_param_crash: bool = False
    first_of_repeated: bool = False
    empty_is_zero: bool = False
    leading_number_parse: bool = False
    no_negative_dates: bool = False
    year_2100_limit: bool = False
    text_plain: bool = False
    drop_channel: bool = False
    string_counts: bool = False
    no_envelope: bool = False
    html_not_found: bool = False
    no_content_when_zero: bool = False
    negative_counts: bool = False
    average_not_sum: bool = False
    exclusive_end_day: bool = False
    jitter: bool = False
    ignore_range: bool = False
    unknown_path_html: bool = False
    post_like_get: bool = False
    no_allow_header: bool = False
    unknown_path_crash: bool = False
    slow_long_ranges: bool = False
    unicode_org_crash: bool = False
    long_org_crash: bool = False
    echo_key: bool = False  # leaks the key it was sent into error messages (for the secrets test)
    calls: list[int] = field(default_factory=list, compare=False)

    # ---- WSGI -----------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.handle(request)
        except Refused as refused:
            response = self.error(refused.status, refused.error, refused.message)
        except Exception:  # a crash is what some defects are about
            response = Response("Internal Server Error", status=500, mimetype="text/plain")
        return response(environ, start_response)

    def json(self, status: int, body: Any) -> Response:
        mimetype = "text/plain" if self.text_plain and status == 200 else "application/json"
        response = Response(json.dumps(body), status=status, mimetype=mimetype)
        if self.charset:
            response.headers["Content-Type"] = "application/json; charset=utf-8"
        return response

    def error(self, status: int, error: str, message: str) -> Response:
        if self.html_not_found and status == 404:
            return Response("<h1>Not Found</h1>", status=404, mimetype="text/html")
        body: dict[str, Any] = {"error": error, "message": f"{message} (ref 42)" if self.other_messages else message}
        if self.auth_body_without_message and status == 401:
            del body["message"]
        if self.extra_fields:
            body["requestId"] = "req-123"
        if self.validation_400 and status == 422:
            status = 400
        return self.json(status, body)

    # ---- the API ----------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        found = _PATH.match(request.path)
        if not found:
            if self.unknown_path_crash:
                raise RuntimeError("no route")
            if self.unknown_path_html:
                return Response("<h1>404</h1>", status=404, mimetype="text/html")
            raise Refused(404, "ResourceNotFound", "No such path.")
        if request.method not in ("GET", "HEAD") and not (self.post_like_get and request.method == "POST"):
            response = self.error(405, "MethodNotAllowed", "Only GET is allowed.")
            if not self.no_allow_header:
                response.headers["Allow"] = "GET, HEAD"
            return response
        org = found.group(1)
        if self.unicode_org_crash and not org.isascii():
            org.encode("ascii")
        if self.long_org_crash and len(org) > 100:
            raise RuntimeError("id too long for the column")
        key = self.authenticate(request)
        if self.resource_before_validation:
            self.authorize(key, org)
            start, end = self.dates(request)
        else:
            start, end = self.dates(request)
            self.authorize(key, org)
        return self.usage(org, start, end)

    def authenticate(self, request: Request) -> str:
        key = request.headers.get("X-API-Key")
        if self.bearer_accepted and not key:
            key = request.headers.get("Authorization", "").removeprefix("Bearer ") or None
        if self.always_401:
            raise Refused(401, "Unauthenticated", "Authentication is required.")
        if not key:
            if self.no_key_allowed:
                return KEY
            if self.missing_key_403:
                raise Refused(403, "Forbidden", "Access is forbidden.")
            raise Refused(401, "Unauthenticated", "Authentication is required.")
        if self.unknown_key_crash and key not in READS:
            return str(READS[key])
        if self.accept_any_key or (self.prefix_only_key_check and key.startswith("idt_live_")):
            return KEY if key not in READS else key
        if self.case_insensitive_keys:
            key = next((k for k in READS if k.lower() == key.lower()), key)
        if self.key_prefix_match:
            key = next((k for k in READS if key.startswith(k)), key)
        if self.truncated_key_match:
            key = next((k for k in READS if k.startswith(key) and len(key) > 20), key)
        if key not in READS:
            raise Refused(
                401,
                "Unauthenticated",
                f"The API key {key} is not valid." if self.echo_key else "The API key is not valid.",
            )
        return key

    def authorize(self, key: str, org: str) -> None:
        known = org in (ORG, OTHER_ORG)
        if not known:
            if self.missing_org_crash:
                raise KeyError(org)
            if self.missing_as_403:
                raise Refused(403, "Forbidden", "Access to the requested resource is forbidden.")
            if not self.missing_org_zeros:
                raise Refused(404, "ResourceNotFound", "The requested resource could not be found.")
            return
        if org not in READS[key] and not self.no_tenancy:
            if self.forbidden_as_404:
                raise Refused(404, "ResourceNotFound", "The requested resource could not be found.")
            raise Refused(403, "Forbidden", "Access to the requested resource is forbidden.")

    def number(self, request: Request, name: str) -> float:
        values = request.args.getlist(name)
        if not values:
            if self.missing_param_crash:
                return float(request.args[name])
            raise Refused(422, "ValidationError", f"{name} is required.")
        if len(values) > 1 and not self.first_of_repeated:
            raise Refused(422, "ValidationError", f"{name} must be given once.")
        raw = values[0]
        if raw == "" and self.empty_is_zero:
            return 0.0
        if self.python_float_parse:
            try:
                return float(raw)
            except ValueError:
                raise Refused(422, "ValidationError", f"{name} is not a number.") from None
        if self.hex_accepted and raw.lower().startswith("0x"):
            return float(int(raw, 16))
        if self.leading_number_parse:
            digits = re.match(r"-?\d+", raw)
            if digits:
                return float(digits.group())
        if self.integers_only and not re.fullmatch(r"-?\d+", raw):
            raise Refused(422, "ValidationError", f"{name} must be an integer.")
        if not _NUMBER.fullmatch(raw) or not math.isfinite(float(raw)):
            raise Refused(422, "ValidationError", f"{name} is not a number.")
        value = float(raw)
        if self.no_negative_dates and value < 0:
            raise Refused(422, "ValidationError", f"{name} must not be negative.")
        if self.year_2100_limit and value > 4102444800000:
            raise Refused(422, "ValidationError", f"{name} is too far in the future.")
        return value

    def dates(self, request: Request) -> tuple[float, float]:
        start, end = self.number(request, "startDate"), self.number(request, "endDate")
        broken = (end <= start) if self.strict_range_rule else (end < start)
        if broken and not self.no_range_rule:
            raise Refused(422, "ValidationError", "endDate must not be earlier than startDate.")
        return start, end

    def usage(self, org: str, start: float, end: float) -> Response:
        if self.slow_long_ranges and end - start > 3650 * DAY_MS:
            time.sleep(0.7)
        first, last = math.floor(start / DAY_MS), math.floor(end / DAY_MS)
        if self.exclusive_end_day:
            last -= 1
        if self.ignore_range:
            first, last = FIRST_DAY, FIRST_DAY + 364
        first, last = max(first, FIRST_DAY - 1), min(last, FIRST_DAY + 366)  # no usage outside 2025
        totals: dict[str, Any] = {}
        if self.jitter:
            self.calls.append(1)
        for index, channel in enumerate(CHANNELS):
            total: Any = sum(_daily(org, day, index) for day in range(first, last + 1))
            if self.negative_counts and channel == "usageSage":
                total -= 5
            if self.average_not_sum and last >= first:
                total = total / (last - first + 1)
            if self.jitter:
                total += len(self.calls) % 2
            if self.string_counts:
                total = str(total)
            if self.float_counts:
                total = float(total)
            totals[channel] = total
        if self.drop_channel:
            del totals["usageSage"]
        if self.no_content_when_zero and not any(totals.values()):
            return Response(status=204)
        body: dict[str, Any] = totals if self.no_envelope else {"data": totals}
        if self.extra_fields:
            body["meta"] = {"organizationId": org, "currency": None}
            if isinstance(body.get("data"), dict):
                body["data"]["usageVoice"] = 0
        return self.json(200, body)


CORRECT = [
    Implementation("reference"),
    Implementation(
        "resource-first, chatty", resource_before_validation=True, extra_fields=True, other_messages=True, charset=True
    ),
    Implementation("floats for whole numbers", float_counts=True, charset=True),
]

_AUTH = ("bad_key_refused",)
DEFECTS = [
    Implementation("accepts any key", ("bad_key_refused",), accept_any_key=True),
    Implementation("no key lets you in", ("missing_key_refused",), no_key_allowed=True),
    Implementation("checks only the key prefix", _AUTH, prefix_only_key_check=True),
    Implementation("compares keys case-insensitively", _AUTH, case_insensitive_keys=True),
    Implementation("accepts a valid key plus suffix", _AUTH, key_prefix_match=True),
    Implementation("accepts a truncated key", _AUTH, truncated_key_match=True),
    Implementation("missing key gives 403", ("missing_key_refused",), missing_key_403=True),
    Implementation("refuses every request with 401", ("valid_key_accepted", "valid_input_accepted"), always_401=True),
    Implementation("takes the key from Authorization", ("missing_key_refused",), bearer_accepted=True),
    Implementation("401 body lacks message", ("response_schema",), auth_body_without_message=True),
    Implementation("unknown key crashes", ("bad_key_refused", "not_a_server_error"), unknown_key_crash=True),
    Implementation("no tenant isolation", ("other_tenant_forbidden",), no_tenancy=True),
    Implementation("other tenant gets 404", ("other_tenant_forbidden",), forbidden_as_404=True),
    Implementation("unknown organization gets 403", ("missing_resource_not_found",), missing_as_403=True),
    Implementation("unknown organization gets zeros", ("missing_resource_not_found",), missing_org_zeros=True),
    Implementation(
        "unknown organization crashes", ("missing_resource_not_found", "not_a_server_error"), missing_org_crash=True
    ),
    Implementation(
        "parses dates with float()", ("invalid_input_rejected", "not_a_server_error"), python_float_parse=True
    ),
    Implementation("accepts only integer dates", ("valid_input_accepted",), integers_only=True),
    Implementation("accepts hex dates", ("invalid_input_rejected",), hex_accepted=True),
    Implementation("no end-before-start rule", ("end_before_start_rejected",), no_range_rule=True),
    Implementation("rejects a one-instant range", ("valid_input_accepted",), strict_range_rule=True),
    Implementation(
        "validation errors are 400",
        ("invalid_input_rejected", "status_documented", "end_before_start_rejected"),
        validation_400=True,
    ),
    Implementation("missing date crashes", ("invalid_input_rejected", "not_a_server_error"), missing_param_crash=True),
    Implementation("takes the first of repeated dates", ("invalid_input_rejected",), first_of_repeated=True),
    Implementation("empty date means zero", ("invalid_input_rejected",), empty_is_zero=True),
    Implementation("parses the leading digits", ("invalid_input_rejected",), leading_number_parse=True),
    Implementation("rejects dates before 1970", ("valid_input_accepted",), no_negative_dates=True),
    Implementation("rejects dates after 2100", ("valid_input_accepted",), year_2100_limit=True),
    Implementation("usage as text/plain", ("content_type",), text_plain=True),
    Implementation("omits a channel", ("response_schema",), drop_channel=True),
    Implementation("counts as strings", ("response_schema",), string_counts=True),
    Implementation("no data envelope", ("response_schema",), no_envelope=True),
    Implementation(
        "404 as an HTML page",
        ("content_type", "missing_resource_not_found", "unknown_path_refused"),
        html_not_found=True,
    ),
    Implementation(
        "204 when there is no usage", ("status_documented", "valid_input_accepted"), no_content_when_zero=True
    ),
    Implementation("negative counts", ("counts_non_negative_integers",), negative_counts=True),
    Implementation("averages instead of sums", ("counts_non_negative_integers", "additive"), average_not_sum=True),
    Implementation("end day excluded", ("additive",), exclusive_end_day=True),
    Implementation("answers vary between calls", ("idempotent",), jitter=True),
    Implementation("ignores the range", ("additive",), ignore_range=True),
    Implementation("unknown path as HTML", ("unknown_path_refused",), unknown_path_html=True),
    Implementation("POST served like GET", ("method_not_allowed",), post_like_get=True),
    Implementation("405 without Allow", ("method_not_allowed",), no_allow_header=True),
    Implementation("unknown path crashes", ("unknown_path_refused", "not_a_server_error"), unknown_path_crash=True),
    Implementation("slow on long ranges", ("latency",), slow_long_ranges=True),
    Implementation("non-ASCII organization id crashes", ("not_a_server_error",), unicode_org_crash=True),
    Implementation("long organization id crashes", ("not_a_server_error",), long_org_crash=True),
]
