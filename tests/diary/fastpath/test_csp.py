"""diary.fastpath.csp.CSPMiddleware gives every response the headers django-csp's own middleware
gives it; it only builds the settings' policies once."""

from __future__ import annotations

from typing import Any

import pytest
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware as StockCSPMiddleware
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from diary.fastpath.csp import CSPMiddleware

HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")


def get_response(request: Any) -> HttpResponse:
    return HttpResponse("x")


def headers(middleware_class: type[Any], path: str, prepare: Any, status: int = 200) -> dict[str, Any]:
    middleware = middleware_class(get_response)
    out = {}
    for attempt in range(2):  # the second answer comes from the cache
        request = RequestFactory().get(path)
        middleware.process_request(request)
        response = HttpResponse("x", status=status)
        prepare(request, response)
        middleware.process_response(request, response)
        out[attempt] = {name: response.get(name) for name in HEADERS}
        if getattr(request, "_csp_nonce", None) is None and not (status == 404 and settings.DEBUG):
            with pytest.raises(CSPNonceError):  # too late for a nonce now
                str(request.csp_nonce)  # type: ignore[attr-defined]
    assert out[0] == out[1]
    return out[0]


def plain(request: Any, response: Any) -> None:
    pass


def style_hash(request: Any, response: Any) -> None:
    response._csp_update = {"style-src": ["'sha256-abc'"]}


def replaced(request: Any, response: Any) -> None:
    response._csp_replace = {"img-src": ["'none'"]}


def exempt(request: Any, response: Any) -> None:
    response._csp_exempt = True


def nonce(request: Any, response: Any) -> None:
    str(request.csp_nonce)


def own_header(request: Any, response: Any) -> None:
    response["Content-Security-Policy"] = "default-src 'none'"


@pytest.mark.parametrize("prepare", [plain, style_hash, replaced, exempt, nonce, own_header])
@pytest.mark.parametrize("path", ["/api/v1/me/entries/2026-11-20", "/healthz"])
def test_the_headers_are_the_stock_middlewares(prepare, path):
    ours = headers(CSPMiddleware, path, prepare)
    stock = headers(StockCSPMiddleware, path, prepare)
    if prepare is nonce:  # a fresh nonce each time: compare around it
        for header in (ours, stock):
            header[HEADERS[0]] = header[HEADERS[0]].split("'nonce-")[0]
    assert ours == stock
    assert (ours[HEADERS[0]] is None) == (prepare is exempt)


@pytest.mark.parametrize("debug", [False, True])
def test_a_not_found_page_in_debug_is_left_alone_as_by_the_stock_middleware(debug):
    with override_settings(DEBUG=debug):
        assert headers(CSPMiddleware, "/x", plain, 404) == headers(StockCSPMiddleware, "/x", plain, 404)


def test_changed_settings_are_followed():
    middleware = CSPMiddleware(get_response)
    policies = []
    for directives in ({"default-src": ["'self'"]}, {"default-src": ["'none'"], "img-src": ["data:"]}):
        with override_settings(
            CONTENT_SECURITY_POLICY={"DIRECTIVES": directives, "EXCLUDE_URL_PREFIXES": ["/skip"]},
            CONTENT_SECURITY_POLICY_REPORT_ONLY={"DIRECTIVES": {"default-src": ["'self'"]}},
        ):
            for path in ("/a", "/skip/b"):
                request = RequestFactory().get(path)
                middleware.process_request(request)
                response = middleware.process_response(request, HttpResponse("x"))
                stock = StockCSPMiddleware(get_response)
                request = RequestFactory().get(path)
                stock.process_request(request)
                expected = stock.process_response(request, HttpResponse("x"))
                assert {h: response.get(h) for h in HEADERS} == {h: expected.get(h) for h in HEADERS}
                policies.append(response.get(HEADERS[0]))
    assert policies[0] != policies[2]
    assert policies[1] is None
    assert policies[3] is None


@pytest.mark.parametrize("prepare", [plain, style_hash, exempt, nonce])
def test_off_the_stock_middleware_answers_and_nothing_is_cached(prepare, settings):
    settings.FASTPATH = False
    assert headers(CSPMiddleware, "/api/v1/me/profile", prepare) == headers(
        StockCSPMiddleware, "/api/v1/me/profile", prepare
    )
    middleware = CSPMiddleware(get_response)
    request = RequestFactory().get("/")
    middleware.process_request(request)
    middleware.process_response(request, HttpResponse("x"))
    assert middleware._built is None  # the policies were not built by our code
