"""Headers every response gets (docs/security.md):

- ``Permissions-Policy``: the browser features the app never uses are off for it and for
  anything it might embed (PERMISSIONS_POLICY in the settings).
- ``Cache-Control: no-store`` on everything under /api/ (diary data, reports, PDFs,
  exports) and /_allauth/ (who is signed in): neither the browser's cache nor a proxy
  keeps a copy. The PWA's offline copy is its own IndexedDB, which sign-out clears.

First in MIDDLEWARE, so that whitenoise's files and every other layer's answers get them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

NO_STORE_PATHS = ("/api/", "/_allauth/")


def permissions_policy(features: dict[str, list[str]]) -> str:
    """{"camera": [], "fullscreen": ["self"]} → "camera=(), fullscreen=(self)"."""
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in features.items())


class ResponseHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.policy)
        if request.path.startswith(NO_STORE_PATHS):
            patch_cache_control(response, no_store=True)
        return response
