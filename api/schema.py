"""OpenAPI extensions (loaded by ApiConfig.ready)."""

from drf_spectacular.authentication import SessionScheme


class ApiSessionScheme(SessionScheme):
    target_class = "api.authentication.SessionAuthentication"
