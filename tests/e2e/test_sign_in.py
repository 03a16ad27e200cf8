"""Signing in, seen in Chromium (issue 18): the admin site signs in through the app's own
sign-in with the authenticator code, and comes back to the admin."""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa import app_settings as mfa_settings
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, TOTP_SECRET, UserFactory, totp_code


def test_the_admin_signs_in_through_the_app_with_the_code(page: Page, live_server: Any, transactional_db: Any) -> None:
    from allauth.mfa.totp.internal.auth import TOTP

    admin = UserFactory.create(email="root@example.org", is_staff=True, is_superuser=True)
    TOTP.activate(admin, TOTP_SECRET)
    page.goto(live_server.url + "/admin/")
    expect(page).to_have_url(f"{live_server.url}/?next=%2Fadmin%2F")
    page.get_by_label("E-mail").fill("root@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    code = page.get_by_label("Authenticator code")
    expect(code).to_be_visible()
    left = mfa_settings.TOTP_PERIOD - time.time() % mfa_settings.TOTP_PERIOD
    if left < 4:  # never type a code in its last seconds
        time.sleep(left + 0.1)
    code.fill(totp_code())
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
