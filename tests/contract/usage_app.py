"""An independent implementation of the usage API, with a switch per legitimate difference
and per realistic defect (``implementations`` lists the combinations that prove the suite).

``Implementation`` is a small WSGI app written from the contract, not from the mock, over
the data of ``usage_model`` (usage from 1900 to 2199, sums in O(1)). Every switch is off by
default: then it is correct.
"""

from __future__ import annotations

import posixpath
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request, Response

from tests.contract.caching import cache_key, cacheable
from tests.contract.usage_figures import Figures, Refused
from tests.contract.usage_model import (
    DAY_MS,
    KEY,
    ORG,
    OTHER_ORG,
    READS,
    WINDOW,
)

__all__ = ["Implementation"]

_PATH = re.compile(r"^/organizations/([^/]+)/usage$")
_KNOWN = (ORG, OTHER_ORG)
_OWN_CODES = {401: "AuthenticationError", 403: "AuthorizationError", 404: "NotFoundError", 405: "MethodError"}
_EXAMPLE_KEY = "idt_live_0123456789abcdefABCDEF0123456789"  # the one openapi.yaml shows
_REQUEST_LINE_MOST = 4094 - len("GET  HTTP/1.1")
_ARCHIVED_BEFORE = 1577836800000  # 2020-01-01: older usage is read from the archive
_TRACE = (
    'Traceback (most recent call last):\n  File "/srv/usage/api/dates.py", line 88, in parse_date\n'
    "    return float(raw)\nValueError: could not convert string to float"
)


@dataclass(frozen=True)
class Implementation(Figures):
    """The usage API; every field but ``name`` is a switch, off (correct) by default."""

    name: str
    catches: tuple[str, ...] = ()  # checks meant to catch the defect
    # legitimate differences
    resource_before_validation: bool = False
    extra_fields: bool = False
    other_messages: bool = False
    charset: bool = False
    float_counts: bool = False
    answers_head: bool = False
    cold_start: bool = False
    correct_cache: bool = False
    own_error_codes: bool = False
    empty_envelope_in_errors: bool = False
    usage_at_midnight: bool = False
    live_usage: bool = False
    request_line_limit: bool = False
    unbounded_numbers: bool = False
    not_implemented_501: bool = False
    unknown_path_html: bool = False
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
    post_like_get: bool = False
    no_allow_header: bool = False
    unknown_path_crash: bool = False
    slow_long_ranges: bool = False
    unicode_org_crash: bool = False
    long_org_crash: bool = False
    echo_key: bool = False
    # defects the first version of the suite missed
    cache_ignores_caller: bool = False
    cache_ignores_end: bool = False
    cache_ignores_path: bool = False
    cache_refusals: bool = False
    cache_ignores_method: bool = False
    shared_request_state: bool = False
    case_folded_ids: bool = False
    dot_segment_acl: bool = False
    strict_escape_decoding: bool = False
    key_in_query: bool = False
    key_in_cookie: bool = False
    case_insensitive_secret: bool = False
    validation_before_auth: bool = False
    lowercase_exponent_only: bool = False
    no_exponent_plus: bool = False
    no_minus_zero: bool = False
    seconds_heuristic: bool = False
    dollar_anchor: bool = False
    loose_digits: bool = False
    scheme_in_key_header: bool = False
    head_before_auth: bool = False
    options_crash: bool = False
    numeric_id_crash: bool = False
    query_org_override: bool = False
    today_skips_tenancy: bool = False
    exclusive_midnight_end: bool = False
    exclusive_midnight_range_end: bool = False
    summer_local_days: bool = False
    like_keys: bool = False
    apikey_header: bool = False
    trust_header_skips_auth: bool = False
    router_strips_slash: bool = False
    router_ignores_case: bool = False
    auth_on_raw_path: bool = False
    like_org_ids: bool = False
    double_decoded_ids: bool = False
    nfkc_ids: bool = False
    org_header_override: bool = False
    conditional_before_auth: bool = False
    example_key_live: bool = False
    grouping_commas: bool = False
    end_zero_means_now: bool = False
    range_rule_whole_ms: bool = False
    int32_wrap: bool = False
    int32_saturate: bool = False
    float_accumulation: bool = False
    rounded_start_day: bool = False
    stack_trace_errors: bool = False
    forbidden_with_data: bool = False
    archive_skips_tenancy: bool = False
    gateway_query_key: bool = False
    utf16_json: bool = False
    bom_json: bool = False
    sql_in_not_found: bool = False
    debug_trace_header: bool = False
    html_for_browsers: bool = False
    public_cache_control: bool = False
    state: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.state.update(lock=threading.Lock(), cache={}, calls=0, current={})

    @property
    def caches(self) -> bool:
        switches = (
            self.cache_ignores_caller,
            self.cache_ignores_end,
            self.cache_ignores_path,
            self.cache_refusals,
            self.cache_ignores_method,
        )
        return self.correct_cache or any(switches)

    # ---- WSGI -----------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        if self.request_line_limit and len(request.full_path) > _REQUEST_LINE_MOST:  # gunicorn's default limit
            body = b"<h1>Bad Request</h1>Request Line is too large"
            return Response(body, status=414, mimetype="text/html")(environ, start_response)
        with self.state["lock"]:
            self.state["calls"] += 1
            first = self.state["calls"] == 1
        if self.cold_start and first:
            time.sleep(3)
        if self.conditional_before_auth and "If-None-Match" in request.headers:  # an ETag layer in front
            return Response(b"", status=304, headers={"ETag": request.headers["If-None-Match"]})(
                environ, start_response
            )
        key = cache_key(self, request) if self.caches else None
        hit = self.state["cache"].get(key) if key is not None else None
        if hit is not None:
            status, headers, body = hit
            return Response(body, status=status, headers=headers)(environ, start_response)
        try:
            response = self.handle(request)
        except Refused as refused:
            response = self.error(refused.status, refused.error, refused.message, getattr(refused, "extra", None))
        except Exception:  # a crash is what some defects are about
            response = Response("Internal Server Error", status=500, mimetype="text/plain")
        if self.debug_trace_header and response.status_code >= 400:  # left on from development
            response.headers["X-Debug-Trace"] = 'File "/srv/usage/handlers.py", line 88, in authorize'
        if self.public_cache_control and response.status_code == 200:  # meant for the CDN, no Vary on the key
            response.headers["Cache-Control"] = "public, max-age=3600"
        prefers = request.accept_mimetypes.best_match(["application/json", "text/html"])
        if self.html_for_browsers and response.status_code == 200 and prefers == "text/html":
            response = Response("<table><tr><td>usage</td></tr></table>", mimetype="text/html")
        if key is not None and cacheable(self, request, response):
            self.state["cache"][key] = (response.status_code, list(response.headers.items()), response.get_data())
        return response(environ, start_response)

    def json(self, status: int, body: Any) -> Response:
        mimetype = "text/plain" if self.text_plain and status == 200 else "application/json"
        text = _dumps(body, self.float_counts)
        response = Response(text, status=status, mimetype=mimetype)
        if self.charset:
            response.headers["Content-Type"] = "application/json; charset=utf-8"
        if self.utf16_json:  # a writer in the platform's "Unicode"
            response.set_data(text.encode("utf-16"))
            response.headers["Content-Type"] = "application/json; charset=utf-16"
        if self.bom_json:  # a writer that starts every text with a byte order mark
            response.set_data(b"\xef\xbb\xbf" + text.encode())
        return response

    def error(self, status: int, error: str, message: str, extra: dict[str, Any] | None = None) -> Response:
        if self.html_not_found and status == 404:
            return Response("<h1>Not Found</h1>", status=404, mimetype="text/html")
        if self.own_error_codes:  # codes of its own, named like exceptions
            error = _OWN_CODES.get(status, error)
        body: dict[str, Any] = {"data": None} if self.empty_envelope_in_errors else {}
        body |= {"error": error, "message": f"{message} (ref 42)" if self.other_messages else message}
        if self.auth_body_without_message and status == 401:
            del body["message"]
        if self.extra_fields:
            body["requestId"] = "req-123"
        if self.sql_in_not_found and status == 404:  # the data layer's message, passed through
            body["message"] = "No row for SELECT id, plan FROM organizations WHERE id = %s LIMIT 1"
        if self.stack_trace_errors and status == 422:
            body["detail"] = _TRACE
        body |= extra or {}
        if self.validation_400 and status == 422:
            status = 400
        return self.json(status, body)

    # ---- the API ----------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        path, args = self.decoded(request)
        found = _PATH.match(path)
        guarded = True  # the auth layer matched the route too
        if not found and (self.router_strips_slash or self.router_ignores_case):  # a router looser than the guard
            loose = path.rstrip("/") if self.router_strips_slash else path
            found = re.match(_PATH.pattern, loose, re.IGNORECASE if self.router_ignores_case else 0)
            guarded = found is None
        if found and self.auth_on_raw_path:  # the guard reads the path before percent-decoding, the router after
            raw = str(request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or path).partition("?")[0]
            guarded = bool(_PATH.match(raw))
        if not found:
            if self.unknown_path_crash:
                raise RuntimeError("no route")
            if self.unknown_path_html:
                return Response("<h1>404</h1>", status=404, mimetype="text/html")
            raise Refused(404, "ResourceNotFound", "No such path.")
        if self.options_crash and request.method == "OPTIONS":
            raise RuntimeError("no CORS configuration")
        if self.head_before_auth and request.method == "HEAD":  # a health check's route, served first
            return Response(b"", status=200, mimetype="application/json")
        allowed = ("GET", "HEAD") if self.answers_head or self.cache_ignores_method else ("GET",)
        if self.not_implemented_501 and request.method not in ("GET", "HEAD"):  # http.server's stock answer
            return Response(f"Unsupported method ({request.method!r})", status=501, mimetype="text/plain")
        if request.method not in allowed and not (self.post_like_get and request.method == "POST"):
            response = self.error(405, "MethodNotAllowed", "Only GET is allowed.")
            if not self.no_allow_header:
                response.headers["Allow"] = ", ".join(allowed)
            return response
        org = found.group(1)
        if self.unicode_org_crash and not org.isascii():
            org.encode("ascii")
        if self.long_org_crash and len(org) > 100:
            raise RuntimeError("id too long for the column")
        if self.numeric_id_crash and org.isdigit() and int(org) >= 2**63:
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        if self.validation_before_auth:
            self.dates(args)
        if not guarded:
            return self.usage(org, *self.dates(args))
        key = self.authenticate(request)
        late = unquote(org) if self.double_decoded_ids else unicodedata.normalize("NFKC", org) if self.nfkc_ids else org
        if late != org and org not in _KNOWN:  # "not a known id, so not another tenant's": the check passes
            return self.usage(late, *self.dates(args))
        if self.dot_segment_acl:
            self.prefix_acl(request, key, org)
            start, end = self.dates(args)
        elif self.resource_before_validation:
            org = self.authorize(key, org)
            start, end = self.dates(args)
        else:
            start, end = self.dates(args)
            org = self.authorize(key, org, start)
        if self.query_org_override and "organizationId" in args:  # a filter the ORM layer applies last
            org = args["organizationId"]
        if self.org_header_override and "X-Organization-Id" in request.headers:  # a gateway's tenant header
            org = request.headers["X-Organization-Id"]
        if self.shared_request_state:
            self.state["current"]["org"] = org  # "the current organization", set for the layers below
            time.sleep(0.003)  # a database round trip
            org = self.state["current"]["org"]
        response = self.usage(org, start, end)
        if request.method == "HEAD" and self.cache_ignores_method:
            return Response(b"", status=response.status_code, headers=list(response.headers.items()))
        return response

    def decoded(self, request: Request) -> tuple[str, MultiDict[str, str]]:
        """The path and query arguments (some defects decode the raw request themselves)."""
        if not (self.strict_escape_decoding or self.dot_segment_acl):
            return request.path, request.args
        raw = request.environ.get("REQUEST_URI", request.full_path)
        raw_path, _, raw_query = raw.partition("?")
        errors = "strict" if self.strict_escape_decoding else "replace"
        path = unquote(raw_path, errors=errors)
        if self.dot_segment_acl:
            path = posixpath.normpath(path)
        return path, MultiDict(parse_qsl(raw_query, keep_blank_values=True, errors=errors))

    def prefix_acl(self, request: Request, key: str, org: str) -> None:
        """Access by path prefix, on the decoded but not yet normalised path."""
        if org not in _KNOWN:
            raise Refused(404, "ResourceNotFound", "The requested resource could not be found.")
        decoded = unquote(request.environ.get("REQUEST_URI", request.path).partition("?")[0])
        if not any(decoded.startswith(f"/organizations/{own}/") for own in READS[key]):
            raise Refused(403, "Forbidden", "Access to the requested resource is forbidden.")

    def authenticate(self, request: Request) -> str:
        key = request.headers.get("X-API-Key")
        if self.apikey_header and not key:  # Kong's default header name, kept when the gateway was removed
            key = request.headers.get("apikey")
        if self.trust_header_skips_auth and request.headers.get("X-Internal-Request") == "true":
            return KEY  # "calls from inside the network need no key"
        if self.example_key_live and key == _EXAMPLE_KEY:  # the documentation's key, seeded in production
            return KEY
        if self.like_keys and key and ("%" in key or "_" in key[9:]):  # WHERE key LIKE ?
            key = next((k for k in READS if _like(key, k)), key)
        if self.scheme_in_key_header and key:
            key = key.split()[-1]  # "Bearer <key>" read as the key
        if self.bearer_accepted and not key:
            key = request.headers.get("Authorization", "").removeprefix("Bearer ") or None
        if self.key_in_query and not key:
            key = request.args.get("api_key")
        if self.gateway_query_key and not key:  # Kong's and APISIX's key-auth: ?apikey= by default
            key = request.args.get("apikey")
        if self.key_in_cookie and not key:
            key = request.cookies.get("api_key")
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
        if self.case_insensitive_secret:
            key = next((k for k in READS if k[:9] == key[:9] and k[9:].lower() == key[9:].lower()), key)
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

    def authorize(self, key: str, org: str, start: float | None = None) -> str:
        """The organization to read, or a refusal (``start``: the range's, where dates come first)."""
        if self.like_org_ids and ("%" in org or "_" in org):  # WHERE org_id LIKE ?, in the check and the read
            org = next((o for o in READS[key] if _like(org, o)), org)
        if self.case_folded_ids:
            owner = next((k for k, orgs in READS.items() if org in orgs), None)  # ownership: exact ids
            if owner is not None and owner != key and not self.no_tenancy:
                raise Refused(403, "Forbidden", "Access to the requested resource is forbidden.")
            stored = next((o for o in _KNOWN if o.lower() == org.lower()), None)  # the store folds case
            if stored is None:
                raise Refused(404, "ResourceNotFound", "The requested resource could not be found.")
            return stored
        if org not in _KNOWN:
            if self.missing_org_crash:
                raise KeyError(org)
            if self.missing_as_403:
                raise Refused(403, "Forbidden", "Access to the requested resource is forbidden.")
            if not self.missing_org_zeros:
                raise Refused(404, "ResourceNotFound", "The requested resource could not be found.")
            return org
        if self.archive_skips_tenancy and start is not None and start < _ARCHIVED_BEFORE:
            return org  # the archive of old usage checks that the organization exists, not who may read it
        if self.today_skips_tenancy and start is not None and 0 <= time.time() * 1000 - start <= DAY_MS:
            return org  # today's live counters check that the organization exists, not who may read it
        if org not in READS[key] and not self.no_tenancy:
            if self.forbidden_as_404:
                raise Refused(404, "ResourceNotFound", "The requested resource could not be found.")
            if self.forbidden_with_data:  # the serializer attaches the resource to the error
                extra = {"data": self.totals(org, *WINDOW)}
                raise _RefusedWith(403, "Forbidden", "Access to the requested resource is forbidden.", extra)
            raise Refused(403, "Forbidden", "Access to the requested resource is forbidden.")
        return org


def _like(pattern: str, value: str) -> bool:
    """SQL ``LIKE``: ``%`` any run of characters, ``_`` any one."""
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value) is not None


class _RefusedWith(Refused):
    """A refusal whose body carries more than the error shape."""

    def __init__(self, status: int, error: str, message: str, extra: dict[str, Any]) -> None:
        super().__init__(status, error, message)
        self.extra = extra


def _dumps(body: Any, float_counts: bool) -> str:
    """JSON; with ``float_counts``, whole numbers are written ``123.0`` (exactly)."""
    import json

    if not float_counts:
        return json.dumps(body)
    text = json.dumps(body, default=str)
    return re.sub(r'(?<=": )(-?\d+)(?=[,}])', r"\1.0", text)
