from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path, re_path
from django.views.defaults import page_not_found

from api.views.health import health
from config.frontend import app_shell

urlpatterns = [
    path("api/v1/", include("api.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("admin/", admin.site.urls),
    path("healthz", health, name="health"),
    # Every other path is a page of the PWA (its files come from whitenoise).
    re_path(r"^(?!(?:api|_allauth|admin|static)(?:/|$)|healthz$).*$", app_shell, name="app"),
]


def not_found(request: HttpRequest, exception: Exception | None = None, **kwargs: Any) -> HttpResponse:
    """API paths answer 404 in the API's problem shape; everything else as usual."""
    if request.path.startswith("/api/"):
        body = {"type": "/api/v1/problems/not-found", "title": "Not found", "status": 404, "detail": "Not found."}
        return JsonResponse(body, status=404, content_type="application/problem+json")
    return page_not_found(request, exception or Exception())


handler404 = not_found
