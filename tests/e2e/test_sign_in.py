"""Signing in, seen in Chromium (issue 18): a clinician signed out after the idle limit
reads why on the sign-in screen; the admin site signs in through the app's own sign-in
with the authenticator code, and comes back to the admin."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from allauth.mfa import app_settings as mfa_settings
from playwright.sync_api import Page, expect

from tests.e2e.test_clinician import clinician_sign_in
from tests.factories import PASSWORD, TOTP_SECRET, ClinicianFactory, UserFactory, totp_code


def test_an_idle_clinician_is_signed_out_and_told_why(page: Page, live_server: Any, transactional_db: Any) -> None:
    ClinicianFactory.create(user__email="idle@example.org")
    clinician_sign_in(page, live_server.url, "idle@example.org", PASSWORD, TOTP_SECRET)
    expect(page.get_by_role("link", name="Invite")).to_be_visible()

    # 31 minutes later (the live server runs in this process: its clock moves too).
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=31), tick=True):
        page.get_by_role("link", name="Invite").click()
        notice = page.get_by_test_id("signed-out-notice")
        expect(notice).to_have_text("You were signed out after 30 minutes without activity. Sign in again.")
        expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
        expect(page.get_by_role("navigation")).to_have_count(0)  # nothing of the dashboard is left

        # Opening the app again: still signed out, still told why.
        page.reload()
        expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
        expect(page.get_by_test_id("signed-out-notice")).to_contain_text("without activity")


def test_a_clinician_who_comes_back_after_the_limit_is_told_why(
    page: Page, live_server: Any, transactional_db: Any
) -> None:
    ClinicianFactory.create(user__email="back@example.org")
    clinician_sign_in(page, live_server.url, "back@example.org", PASSWORD, TOTP_SECRET)
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=45), tick=True):
        page.reload()
        expect(page.get_by_test_id("signed-out-notice")).to_contain_text("signed out after 30 minutes")


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
