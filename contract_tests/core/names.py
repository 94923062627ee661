"""The names of the suite's checks: what a failure, a report and the detection table call them.

Every :class:`~contract_tests.core.checks.ContractFailure` carries one of these; a vendor
reading a report, a CI log or the README's detection table meets the same word.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ADDITIVE",
    "ALL",
    "AUTH_BEFORE_VALIDATION",
    "BAD_KEY_REFUSED",
    "CACHE_ISOLATED",
    "CONCURRENT_ISOLATION",
    "CONTENT_TYPE",
    "COUNTS_NON_NEGATIVE_INTEGERS",
    "CREDENTIALS_ONLY_IN_HEADER",
    "DAY_GRANULARITY",
    "END_BEFORE_START_REJECTED",
    "ERROR_BODY_LEAK_FREE",
    "HEAD_LIKE_GET",
    "IDEMPOTENT",
    "INVALID_INPUT_REJECTED",
    "LATENCY",
    "MALFORMED_URL_REFUSED",
    "METHOD_NOT_ALLOWED",
    "MISSING_KEY_REFUSED",
    "MISSING_RESOURCE_NOT_FOUND",
    "MONOTONIC",
    "NOT_A_SERVER_ERROR",
    "NUMBER_SPELLINGS_ACCEPTED",
    "ORGANIZATION_ID_EXACT",
    "OTHER_TENANT_FORBIDDEN",
    "RESPONSE_HEADERS",
    "RESPONSE_SCHEMA",
    "SECRET_CASE_SENSITIVE",
    "STATUS_DOCUMENTED",
    "SUMS_EXACT",
    "TARGET_REACHABLE",
    "UNKNOWN_PATH_REFUSED",
    "VALID_INPUT_ACCEPTED",
    "VALID_KEY_ACCEPTED",
]

# The response contract: every answer of the operation.
NOT_A_SERVER_ERROR: Final = "not_a_server_error"
STATUS_DOCUMENTED: Final = "status_documented"
CONTENT_TYPE: Final = "content_type"
RESPONSE_SCHEMA: Final = "response_schema"
RESPONSE_HEADERS: Final = "response_headers"
ERROR_BODY_LEAK_FREE: Final = "error_body_leak_free"
LATENCY: Final = "latency"
# Reaching the target at all.
TARGET_REACHABLE: Final = "target_reachable"
# Authentication.
MISSING_KEY_REFUSED: Final = "missing_key_refused"
BAD_KEY_REFUSED: Final = "bad_key_refused"
VALID_KEY_ACCEPTED: Final = "valid_key_accepted"
CREDENTIALS_ONLY_IN_HEADER: Final = "credentials_only_in_header"
SECRET_CASE_SENSITIVE: Final = "secret_case_sensitive"  # noqa: S105 - a check name, not a secret
AUTH_BEFORE_VALIDATION: Final = "auth_before_validation"
# Tenancy, identifiers and isolation.
OTHER_TENANT_FORBIDDEN: Final = "other_tenant_forbidden"
MISSING_RESOURCE_NOT_FOUND: Final = "missing_resource_not_found"
ORGANIZATION_ID_EXACT: Final = "organization_id_exact"
MALFORMED_URL_REFUSED: Final = "malformed_url_refused"
CACHE_ISOLATED: Final = "cache_isolated"
CONCURRENT_ISOLATION: Final = "concurrent_isolation"
# Validation.
VALID_INPUT_ACCEPTED: Final = "valid_input_accepted"
INVALID_INPUT_REJECTED: Final = "invalid_input_rejected"
END_BEFORE_START_REJECTED: Final = "end_before_start_rejected"
NUMBER_SPELLINGS_ACCEPTED: Final = "number_spellings_accepted"
# Usage semantics.
COUNTS_NON_NEGATIVE_INTEGERS: Final = "counts_non_negative_integers"
IDEMPOTENT: Final = "idempotent"
MONOTONIC: Final = "monotonic"
ADDITIVE: Final = "additive"
SUMS_EXACT: Final = "sums_exact"
DAY_GRANULARITY: Final = "day_granularity"
# HTTP hygiene.
UNKNOWN_PATH_REFUSED: Final = "unknown_path_refused"
METHOD_NOT_ALLOWED: Final = "method_not_allowed"
HEAD_LIKE_GET: Final = "head_like_get"

ALL: Final = frozenset(value for name, value in dict(globals()).items() if name.isupper() and isinstance(value, str))
