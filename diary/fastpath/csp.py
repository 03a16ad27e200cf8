"""django-csp's middleware with the settings' policies built once.

The stock middleware builds both policies from the settings for every response (a
dataclass copy and a walk over every directive, twice), which was a measurable share of a
diary save's CPU. The headers are the same: a response that brings its own parts (the
dashboard's style hashes, `csp_exempt`, …) or a request that used a nonce goes through
the stock code, and the cache is rebuilt whenever the settings objects change
(tests/diary/fastpath/test_csp.py compares the headers with the stock middleware's).
It reads the stock middleware's private `_csp_nonce_post_response` and the private
response attributes django-csp's decorators set (`_csp_update`, …).

Off (settings.FASTPATH false): the stock middleware for every response.
"""

from __future__ import annotations

import http.client
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as StockCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from diary.fastpath import on

# What a view or decorator may set on a response to change its policy.
OWN_PARTS = tuple(f"_csp_{part}{ro}" for part in ("config", "update", "replace") for ro in ("", "_ro"))
DEBUG_CODES = (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND)


class CSPMiddleware(StockCSPMiddleware):
    _built: tuple[tuple[Any, Any], list[tuple[str, str, str, tuple[str, ...]]]] | None = None

    def _policies(self) -> list[tuple[str, str, str, tuple[str, ...]]]:
        """(header, policy, exempt attribute, excluded path prefixes) for both headers."""
        key = (
            getattr(settings, "CONTENT_SECURITY_POLICY", None),
            getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None),
        )
        built = self._built
        if built is None or built[0][0] is not key[0] or built[0][1] is not key[1]:
            policies = []
            for header, setting, exempt, report_only in (
                (HEADER, key[0], "_csp_exempt", False),
                (HEADER_REPORT_ONLY, key[1], "_csp_exempt_ro", True),
            ):
                prefixes = tuple((setting or {}).get("EXCLUDE_URL_PREFIXES", None) or ())
                policies.append((header, build_policy(report_only=report_only), exempt, prefixes))
            built = (key, policies)
            self._built = built
        return built[1]

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if (
            not on()
            or (response.status_code in DEBUG_CODES and settings.DEBUG)
            or getattr(request, "_csp_nonce", None) is not None
            or any(getattr(response, name, None) is not None for name in OWN_PARTS)
        ):
            return super().process_response(request, response)
        for header, policy, exempt, prefixes in self._policies():
            if (
                policy
                and header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(prefixes)
            ):
                response[header] = policy
        # As the stock middleware: a nonce asked for after this point is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
