from __future__ import annotations

from typing import Any

from allauth.headless.contrib.rest_framework import authentication as allauth_authentication
from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from api.sessions import idle_limited, idle_message, session_idle, session_touch


class SessionAuthentication(authentication.SessionAuthentication):
    """Session cookie + CSRF for the same-origin PWA.

    Names a scheme in WWW-Authenticate so that an anonymous caller gets 401, not 403.
    (The idle limit of a cookie session is api.sessions.IdleSignOutMiddleware's.)
    """

    def authenticate_header(self, request: Request) -> str:
        return 'Session realm="api"'


class SignedOutIdle(AuthenticationFailed):
    pass


class XSessionTokenAuthentication(allauth_authentication.XSessionTokenAuthentication):
    """allauth's X-Session-Token (the app client), with the idle limit of api/sessions.py:
    a clinician's token unused for longer than the limit is ended and answered 401."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user, session = result
        if idle_limited(user):
            if session_idle(session):
                session.delete()
                raise SignedOutIdle(idle_message())
            session_touch(session)
            session.save()
        return user, session
