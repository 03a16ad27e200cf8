"""The admin site, signed in the way the app signs in.

Django's admin has a password form of its own: no rate limit, no second factor, and a
session the API used to accept (issue 18). Here the admin's login page takes no
password: it sends the person to the app's sign-in (allauth headless: its rate limits,
TOTP) and back (allauth's ``secure_admin_login``). Using the admin needs a session that
passed the second factor (``ADMIN_MFA_REQUIRED``). The admin holds no health data
(docs/security.md): pghistory's event browser is not installed and no diary model is
registered (tests/config/test_admin.py).
"""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from diary.access import has_authenticator, second_factor_passed

NO_SECOND_FACTOR = (
    "The admin needs two-factor authentication. Turn on an authenticator (TOTP) for this "
    "account (docs/operations.md), then sign out and sign in again with its code."
)
SIGN_IN_AGAIN = "This session did not pass the second factor: sign out and sign in again with your authenticator code."


def admin_second_factor(request: HttpRequest) -> bool:
    return not settings.ADMIN_MFA_REQUIRED or second_factor_passed(request.user, request.session)


class AdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and admin_second_factor(request)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # Anonymous: to LOGIN_URL (the app's sign-in) with ?next=; signed in but not staff: 403.
        return secure_admin_login(self._signed_in)(request)

    def _signed_in(self, request: HttpRequest) -> HttpResponse:
        """A signed-in staff member: back to where they were going, or why not."""
        if not admin_second_factor(request):
            message = SIGN_IN_AGAIN if has_authenticator(request.user) else NO_SECOND_FACTOR
            page = format_html(
                '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{}</title></head>'
                '<body><main><h1>{}</h1><p>{}</p><p><a href="/">LDN Diary</a></p></main></body></html>',
                self.site_title,
                "Two-factor authentication needed",
                message,
            )
            return HttpResponse(page, status=403)
        target = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
            target = reverse("admin:index", current_app=self.name)
        return HttpResponseRedirect(target)
