"""Independent implementations of the usage API, correct and defective, to prove the suite.

Each entry is one :class:`~tests.contract.usage_app.Implementation` (a WSGI app written from
the contract, not from the mock). ``CORRECT`` lists implementations that differ from the
mock in legitimate ways and must pass; each entry of ``DEFECTS`` switches on one realistic
defect and names the checks meant to catch it.
"""

from __future__ import annotations

from tests.contract.usage_app import Implementation
from tests.contract.usage_model import KEY, MISSING_ORG, ORG, OTHER_KEY, OTHER_ORG, WINDOW

__all__ = ["CORRECT", "DEFECTS", "KEY", "MISSING_ORG", "ORG", "OTHER_KEY", "OTHER_ORG", "WINDOW", "Implementation"]

CORRECT = [
    Implementation("reference"),
    Implementation(
        "resource-first, chatty", resource_before_validation=True, extra_fields=True, other_messages=True, charset=True
    ),
    Implementation("floats for whole numbers", float_counts=True, charset=True),
    Implementation("answers HEAD like GET, without a body", answers_head=True),
    Implementation("first request takes 3 s", cold_start=True),
    Implementation("response cache keyed by key and URL", correct_cache=True),
    # What the contract leaves open, as other teams write it: each once failed the suite.
    Implementation(
        "own error codes, an empty envelope in errors, HTML for unknown paths",
        own_error_codes=True,
        empty_envelope_in_errors=True,
        unknown_path_html=True,
    ),
    Implementation("daily rows stamped at midnight", usage_at_midnight=True),
    Implementation("today's usage grows every millisecond", live_usage=True),
    Implementation("behind a server that refuses request lines over 4 KB with 414", request_line_limit=True),
    Implementation("numbers read exactly, 501 for other methods", unbounded_numbers=True, not_implemented_501=True),
]

_AUTH = ("bad_key_refused",)
_LEAK = ("error_body_leak_free",)
_CACHE = ("cache_isolated",)
_SPELLING = ("number_spellings_accepted",)
_INVALID = ("invalid_input_rejected",)
DEFECTS = [
    Implementation("accepts any key", ("bad_key_refused",), accept_any_key=True),
    Implementation("no key lets you in", ("missing_key_refused",), no_key_allowed=True),
    Implementation("checks only the key prefix", _AUTH, prefix_only_key_check=True),
    Implementation("compares keys case-insensitively", _AUTH, case_insensitive_keys=True),
    Implementation("accepts a valid key plus suffix", _AUTH, key_prefix_match=True),
    Implementation("accepts a truncated key", _AUTH, truncated_key_match=True),
    Implementation("missing key gives 403", ("missing_key_refused",), missing_key_403=True),
    Implementation("refuses every request with 401", ("valid_key_accepted", "valid_input_accepted"), always_401=True),
    Implementation("takes the key from Authorization", ("credentials_only_in_header",), bearer_accepted=True),
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
        ("content_type", "missing_resource_not_found"),
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
    Implementation("POST served like GET", ("method_not_allowed",), post_like_get=True),
    Implementation("405 without Allow", ("method_not_allowed",), no_allow_header=True),
    Implementation("unknown path crashes", ("unknown_path_refused", "not_a_server_error"), unknown_path_crash=True),
    Implementation("slow on long ranges", ("latency",), slow_long_ranges=True),
    Implementation("non-ASCII organization id crashes", ("not_a_server_error",), unicode_org_crash=True),
    Implementation("long organization id crashes", ("not_a_server_error",), long_org_crash=True),
    # Subtler defects, each of a class the first version of the suite let through.
    Implementation("response cache keyed without the caller", _CACHE, cache_ignores_caller=True),
    Implementation("cache key leaves out the end date", _CACHE, cache_ignores_end=True),
    Implementation("cache key leaves out the organization", _CACHE, cache_ignores_path=True),
    Implementation("refusals cached per URL", _CACHE, cache_refusals=True),
    Implementation("HEAD and GET share cache entries", _CACHE, cache_ignores_method=True),
    Implementation("current organization in shared state", ("concurrent_isolation",), shared_request_state=True),
    Implementation("ids case-folded after the ownership check", ("organization_id_exact",), case_folded_ids=True),
    Implementation(
        "access checked on the path before dot segments are resolved", ("organization_id_exact",), dot_segment_acl=True
    ),
    Implementation(
        "a malformed escape crashes", ("malformed_url_refused", "not_a_server_error"), strict_escape_decoding=True
    ),
    Implementation("key accepted in a query parameter", ("credentials_only_in_header",), key_in_query=True),
    Implementation("key accepted in a cookie", ("credentials_only_in_header",), key_in_cookie=True),
    Implementation("secret part compared case-insensitively", ("secret_case_sensitive",), case_insensitive_secret=True),
    Implementation("validates dates before the key", ("auth_before_validation",), validation_before_auth=True),
    Implementation("refuses an upper-case exponent", _SPELLING, lowercase_exponent_only=True),
    Implementation("refuses an exponent with a plus sign", _SPELLING, no_exponent_plus=True),
    Implementation("refuses minus zero", _SPELLING, no_minus_zero=True),
    Implementation("small timestamps read as seconds", ("monotonic", "additive"), seconds_heuristic=True),
    Implementation("32-bit counters wrap", ("counts_non_negative_integers", "additive", "monotonic"), int32_wrap=True),
    Implementation("32-bit counters saturate", ("additive",), int32_saturate=True),
    Implementation("sums accumulated in a float", ("sums_exact",), float_accumulation=True),
    Implementation("range start rounded to the nearest day", ("day_granularity",), rounded_start_day=True),
    Implementation("error message echoes the key", _LEAK, echo_key=True),
    Implementation("validation errors carry a stack trace", _LEAK, stack_trace_errors=True),
    Implementation("403 carries the usage", _LEAK, forbidden_with_data=True),
    Implementation(
        "ranges before 2020 skip the tenancy check", ("other_tenant_forbidden",), archive_skips_tenancy=True
    ),
    Implementation(
        "a gateway takes the key from ?apikey= too", ("credentials_only_in_header",), gateway_query_key=True
    ),
    # Defects found by implementations written elsewhere, each missed by an earlier suite.
    Implementation("a number regex ending in $ (a trailing newline passes)", _INVALID, dollar_anchor=True),
    Implementation("dates read by the language's float (+5, 1_000, .5, 5.)", _INVALID, loose_digits=True),
    Implementation("the key read after a scheme (Bearer <key>)", _AUTH, scheme_in_key_header=True),
    Implementation("HEAD answered before the key is checked", ("head_like_get",), head_before_auth=True),
    Implementation("a CORS preflight crashes", ("not_a_server_error",), options_crash=True),
    Implementation("an id past 64 bits crashes", ("not_a_server_error",), numeric_id_crash=True),
    Implementation(
        "?organizationId= overrides the path's organization", ("other_tenant_forbidden",), query_org_override=True
    ),
    Implementation("today's usage skips the tenancy check", ("other_tenant_forbidden",), today_skips_tenancy=True),
    Implementation("an end exactly at midnight read as exclusive", ("day_granularity",), exclusive_midnight_end=True),
    Implementation(
        "an end at midnight exclusive, but not in a one-instant range", ("additive",), exclusive_midnight_range_end=True
    ),
    Implementation("days of a zone with summer time, not UTC", ("additive",), summer_local_days=True),
    Implementation("keys looked up with SQL LIKE", _AUTH, like_keys=True),
    Implementation("the documentation's example key works", _AUTH, example_key_live=True),
    Implementation("the key also read from an apikey header", ("credentials_only_in_header",), apikey_header=True),
    Implementation("X-Internal-Request: true skips the key", ("missing_key_refused",), trust_header_skips_auth=True),
    Implementation("a trailing slash routes past the key check", ("missing_key_refused",), router_strips_slash=True),
    Implementation("an upper-case route goes past the key check", ("missing_key_refused",), router_ignores_case=True),
    Implementation("the key check reads the path before decoding", ("missing_key_refused",), auth_on_raw_path=True),
    Implementation("organization ids matched with SQL LIKE", ("organization_id_exact",), like_org_ids=True),
    Implementation("ids decoded twice after the access check", ("organization_id_exact",), double_decoded_ids=True),
    Implementation("ids NFKC-normalised after the access check", ("organization_id_exact",), nfkc_ids=True),
    Implementation("X-Organization-Id overrides the path", ("other_tenant_forbidden",), org_header_override=True),
    Implementation("If-None-Match answered 304 before the key check", _CACHE, conditional_before_auth=True),
    Implementation("dates with grouping commas read", _INVALID, grouping_commas=True),
    Implementation("endDate 0 read as now", ("monotonic",), end_zero_means_now=True),
    Implementation(
        "the range rule compared on whole milliseconds", ("end_before_start_rejected",), range_rule_whole_ms=True
    ),
    Implementation("JSON written in UTF-16", ("response_schema",), utf16_json=True),
    Implementation("JSON after a byte order mark", ("response_schema",), bom_json=True),
    Implementation("the 404 message carries the SQL query", _LEAK, sql_in_not_found=True),
    Implementation("errors carry a debug header with a stack frame", _LEAK, debug_trace_header=True),
    Implementation("a browser's Accept gets an HTML page", ("content_type",), html_for_browsers=True),
    Implementation("usage marked public for shared caches, no Vary on the key", _CACHE, public_cache_control=True),
]
