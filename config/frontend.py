"""The PWA's pages. frontend/dist (built by scripts/frontend.sh) is served by whitenoise
at "/" (settings: WHITENOISE_ROOT, with its cache headers); every app route ("/",
"/history", ...) answers with the app shell, index.html."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe


@require_safe
def app_shell(request: HttpRequest) -> HttpResponse:
    index = settings.FRONTEND_DIST / "index.html"
    if not index.is_file():
        return HttpResponse(
            "The app is not built yet: run scripts/frontend.sh (make run and make test do).",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(index.read_bytes(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
