from django.contrib import admin
from django.urls import include, path

from api.views.health import health

urlpatterns = [
    path("api/v1/", include("api.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("admin/", admin.site.urls),
    path("healthz", health, name="health"),
]
