"""Middleware for the JSON paths (/api/ and allauth's /_allauth/): every answer there is JSON.

``ApiProblemMiddleware``: DRF's exception handler (``api.errors``) maps every error it
knows to a 4xx problem and re-raises the rest. Django then answers its HTML 500 page (or,
with DEBUG on as in ``make run``, the technical page with a traceback), which the PWA
cannot read and which shows internals. This middleware answers those with a JSON problem
of status 500.

A request that cannot go on because a service it needs is down (``CacheUnavailable``:
Redis, for a rate limit that fails closed) answers 503 with ``Retry-After``, so a client
knows to try again later rather than that the request was wrong.

``RequestBodyGuardMiddleware``: a body is checked once, before anything parses it (DRF's
JSONParser under /api/, allauth's own ``json.loads`` under /_allauth/): too large → 413,
JSON nested too deep for Python's recursive parser → 400, both as problems.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from api.errors import PROBLEM_CONTENT_TYPE, problem_body
from config.cache import CacheUnavailable

JSON_PATHS = ("/api/", "/_allauth/")
SERVER_ERROR_DETAIL = "The server had a problem and could not answer. Please try again in a moment."
# Our deepest body (a diary day: object, list, object) has 3 levels; Python's json module
# recurses once per level and raises RecursionError near 1,000.
MAX_JSON_DEPTH = 32


def problem_response(status_code: int, detail: str, **parts: Any) -> JsonResponse:
    """A problem (api.errors' shape) answered outside DRF, by a middleware."""
    response = JsonResponse(
        problem_body(status_code, detail, **parts), status=status_code, content_type=PROBLEM_CONTENT_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response


SERVICE_UNAVAILABLE = {
    "type": "/api/v1/problems/service-unavailable",
    "title": "Service unavailable",
    "status": 503,
    "detail": "A service this needs is down for a moment. Please try again shortly.",
}


def server_error_problem() -> JsonResponse:
    return problem_response(500, SERVER_ERROR_DETAIL)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith(JSON_PATHS):
        response = JsonResponse(SERVICE_UNAVAILABLE, status=503, content_type=PROBLEM_CONTENT_TYPE)
    else:
        response = HttpResponse(SERVICE_UNAVAILABLE["detail"], status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(settings.SERVICE_UNAVAILABLE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class ApiProblemMiddleware:
    """First in ``MIDDLEWARE``, so it sees every response of every other layer: an API
    answer of 500 that is not already a problem (an exception Django turned into its own
    page, from a view or from any middleware) is replaced by the problem. Django has
    already logged it (``django.request``) and sent ``got_request_exception``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 500
            and request.path.startswith(JSON_PATHS)
            and response.get("Content-Type", "") != PROBLEM_CONTENT_TYPE
        ):
            return server_error_problem()
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, CacheUnavailable):
            return service_unavailable(request)
        return None


_JSON_STRING = re.compile(rb'"(?:[^"\\]+|\\.)*+"', re.DOTALL)
_NOT_A_BRACKET = re.compile(rb"[^\[\]{}]+")
_OPENERS = frozenset(b"[{")


def json_nesting_exceeds(body: bytes, limit: int) -> bool:
    """True when the JSON text nests arrays and objects more than ``limit`` deep.

    1. At most ``limit`` opening brackets in all cannot nest deeper: done (every
       ordinary body, at C speed).
    2. Otherwise drop the strings (brackets inside them do not nest), keep only the
       brackets, and follow the depth, stopping as soon as it passes the limit.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for byte in _NOT_A_BRACKET.sub(b"", _JSON_STRING.sub(b"", body)):
        depth += 1 if byte in _OPENERS else -1
        if depth > limit:
            return True
    return False


class RequestBodyGuardMiddleware:
    """Refuses, under the JSON paths, a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    (413; Django's own check of the same setting raises an error that answers an HTML
    400) and JSON nested more than ``MAX_JSON_DEPTH`` levels (400; it would exhaust the
    parser's recursion: a 500 on every JSON write, signed in or not)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(JSON_PATHS):
            refused = self.refusal(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def refusal(self, request: HttpRequest) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # as Django reads it: no body
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            message = f"The body is {length} bytes; at most {limit} are accepted."
            return problem_response(413, message, errors={"body": [message]})
        if length and json_nesting_exceeds(request.body, MAX_JSON_DEPTH):
            message = f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep."
            return problem_response(400, f"body: {message}", errors={"body": [message]})
        return None
