from __future__ import annotations

from rest_framework import authentication
from rest_framework.request import Request


class SessionAuthentication(authentication.SessionAuthentication):
    """Session cookie + CSRF for the same-origin PWA.

    Names a scheme in WWW-Authenticate so that an anonymous caller gets 401, not 403.
    """

    def authenticate_header(self, request: Request) -> str:
        return 'Session realm="api"'
