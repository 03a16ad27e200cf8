"""An unexpected error under /api/ (and allauth's /_allauth/) answers in the API's problem shape, never an HTML page.

DRF's exception handler (``api.errors``) maps every error it knows to a 4xx problem and
re-raises the rest. Django then answers its HTML 500 page (or, with DEBUG on as in
``make run``, the technical page with a traceback), which the PWA cannot read and which
shows internals. This middleware answers those with a JSON problem of status 500.

A request that cannot go on because a service it needs is down (``CacheUnavailable``:
Redis, for a rate limit that fails closed) answers 503 with ``Retry-After``, so a client
knows to try again later rather than that the request was wrong.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from api.errors import PROBLEM_CONTENT_TYPE
from config.cache import CacheUnavailable

JSON_PATHS = ("/api/", "/_allauth/")
SERVER_ERROR = {
    "type": "/api/v1/problems/server-error",
    "title": "Server error",
    "status": 500,
    "detail": "The server had a problem and could not answer. Please try again in a moment.",
}


SERVICE_UNAVAILABLE = {
    "type": "/api/v1/problems/service-unavailable",
    "title": "Service unavailable",
    "status": 503,
    "detail": "A service this needs is down for a moment. Please try again shortly.",
}


def server_error_problem() -> JsonResponse:
    response = JsonResponse(SERVER_ERROR, status=500, content_type=PROBLEM_CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response


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
