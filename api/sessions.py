"""Automatic log-off: clinicians and staff are signed out after CLINICIAN_IDLE_TIMEOUT
without a request; patients are not (their phones keep their sessions).

A session of such a person records the time of its last request. A request that comes
later than the limit ends the session (Django's ``logout``: the session row is gone, so
a copied cookie is dead too) and leaves a note in the new, anonymous session: the API's
"not signed in" answers say why (api/errors.py) until the browser signs in again. Not
only the first: several requests of a page race for the first answer, and the one that
gets it may be one whose page is going away. The note is also a cookie of its own
(SIGNED_OUT_COOKIE): a racing request that carried the dead session's cookie answers with
Django's deletion of the session cookie, which took the session's note with it when its
answer came last. A session token (allauth's app client) is checked the same way by
api/authentication.py.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from diary.access import clinician_of

logger = logging.getLogger(__name__)

LAST_ACTIVITY = "ldn_last_activity"
SIGNED_OUT_IDLE = "ldn_signed_out_idle"
SIGNED_OUT_COOKIE = "ldn_signed_out_idle"


def idle_limited(user: Any) -> bool:
    """Clinicians and staff: people who see many patients' data, often at shared desks."""
    return bool(getattr(user, "is_staff", False)) or clinician_of(user) is not None


def idle_minutes() -> int:
    return int(settings.CLINICIAN_IDLE_TIMEOUT.total_seconds() // 60)


def idle_message() -> str:
    return f"You were signed out after {idle_minutes()} minutes without activity. Sign in again."


def session_idle(session: SessionBase) -> bool:
    """True when the session's last request is longer ago than the limit."""
    last = session.get(LAST_ACTIVITY)
    return isinstance(last, (int, float)) and time.time() - last > settings.CLINICIAN_IDLE_TIMEOUT.total_seconds()


def session_touch(session: SessionBase) -> None:
    session[LAST_ACTIVITY] = time.time()


def session_start_clock(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """``user_logged_in``: the clock starts at sign-in, in the session that signed in (a
    cookie session, or the one behind an app client's new session token)."""
    if idle_limited(user):
        session_touch(request.session)


class IdleSignOutMiddleware:
    """After AuthenticationMiddleware: cookie sessions (the PWA, the admin)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        signed_out = signed_in_again = False
        if SESSION_KEY not in request.session:
            # The session key of a session that ended for inactivity, whose ending answer
            # the page threw away (it moved on): this answer deletes that cookie, so it
            # leaves the note cookie in its place, or the reason is gone on the next load.
            signed_out = SIGNED_OUT_COOKIE not in request.COOKIES and _ended(
                request.COOKIES.get(settings.SESSION_COOKIE_NAME)
            )
        else:  # only a signed-in session reads the user (as the view would anyway)
            request.session.pop(SIGNED_OUT_IDLE, None)  # signed in again: the note is old news
            signed_in_again = SIGNED_OUT_COOKIE in request.COOKIES
            if idle_limited(request.user):
                if session_idle(request.session):
                    ended_remember(request.session.session_key)
                    logout(request)
                    request.session[SIGNED_OUT_IDLE] = True
                    signed_out, signed_in_again = True, False
                else:
                    session_touch(request.session)
        response = self.get_response(request)
        if signed_out:
            response.set_cookie(
                SIGNED_OUT_COOKIE,
                "1",
                max_age=settings.SESSION_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        elif signed_in_again:
            response.delete_cookie(SIGNED_OUT_COOKIE, samesite="Lax")
        return response


def _ended_key(session_key: str) -> str:
    return f"ldn-idle-ended:{session_key}"


def ended_remember(session_key: str | None) -> None:
    """Remember that this session key ended for inactivity: a request of the page that was
    in flight (its answer, with the new cookies, thrown away when the page moved on) still
    carries the dead key, and must be told why too."""
    if not session_key:
        return
    try:
        cache.set(_ended_key(session_key), True, timeout=settings.SESSION_COOKIE_AGE)
    except Exception:  # a cache outage must not turn a sign-out into a 500
        logger.warning("could not remember an idle sign-out", exc_info=True)


def _ended(session_key: str | None) -> bool:
    if not session_key:
        return False
    try:
        return bool(cache.get(_ended_key(session_key)))
    except Exception:  # without the cache, the plain "not signed in" answer
        return False


def signed_out_note(request: Any) -> bool:
    """The browser was signed out for inactivity and has not signed in since: the note in
    its new session, the note cookie, or the dead session key it still sends."""
    session = getattr(request, "session", None)
    cookies = getattr(request, "COOKIES", {})
    return (
        cookies.get(SIGNED_OUT_COOKIE) == "1"
        or (session is not None and session.get(SIGNED_OUT_IDLE) is not None)
        or _ended(cookies.get(settings.SESSION_COOKIE_NAME))
    )
