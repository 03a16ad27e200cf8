"""OpenAPI extensions (loaded by ApiConfig.ready)."""

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.django_allauth import XSessionTokenAuthenticationScheme


class ApiSessionScheme(SessionScheme):
    target_class = "api.authentication.SessionAuthentication"


class ApiXSessionTokenScheme(XSessionTokenAuthenticationScheme):
    target_class = "api.authentication.XSessionTokenAuthentication"
