"""A server error is reported as the server's, with a retry: never "check the connection",
never the sign-in screen. The errors are real: the live server (in this process) runs code
that raises, and answers with the API's problem JSON (api/middleware.py)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from api.views import me as me_views
from diary import dashboard, selectors
from diary.models import Patient
from tests.e2e.conftest import sign_in
from tests.e2e.test_clinician import DESKTOP, clinician_sign_in
from tests.factories import PASSWORD, TOTP_SECRET, ClinicianFactory

pytestmark = pytest.mark.e2e

SERVER_PROBLEM = "The server had a problem (500). Try again in a moment."


def _broken(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("a bug in the server")


def test_the_dashboard_says_the_server_had_a_problem_and_retries(
    browser: Browser, live_server: Any, transactional_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ClinicianFactory.create(user__email="doc@example.org")
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    desk = context.new_page()
    with monkeypatch.context() as patch:
        patch.setattr(dashboard, "triage_rows", _broken)
        clinician_sign_in(desk, live_server.url, "doc@example.org", PASSWORD, TOTP_SECRET)  # Triage, then its read
        alert = desk.get_by_role("alert")
        expect(alert).to_contain_text(SERVER_PROBLEM)
        expect(alert).not_to_contain_text("connection")
    desk.get_by_role("button", name="Try again").click()  # the server works again
    expect(desk.get_by_test_id("triage-count")).to_have_text("0 patients")
    expect(desk.get_by_role("alert")).to_have_count(0)
    context.close()


def test_the_patient_app_says_the_server_had_a_problem_and_retries(
    page: Page, live_server: Any, patient: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(page, live_server.url, "pat@example.org")
    with monkeypatch.context() as patch:
        patch.setattr(selectors, "insight_of", _broken)  # My trends reads the insight through it
        page.get_by_role("navigation", name="Sections").get_by_role("button", name="My trends", exact=True).click()
        problem = page.get_by_test_id("trends-failed")
        expect(problem).to_contain_text(SERVER_PROBLEM)
        expect(page.get_by_text("need a connection")).to_have_count(0)
    page.get_by_test_id("trends-failed").get_by_role("button", name="Try again").click()
    expect(page.get_by_test_id("trends-failed")).to_have_count(0)
    expect(page.get_by_role("heading", level=1, name="My trends")).to_be_visible()

    # The session check itself fails: not the sign-in screen, the server's problem.
    with monkeypatch.context() as patch:
        patch.setattr(me_views, "patient_of", _broken)
        page.reload()
        problem = page.get_by_test_id("server-problem")
        expect(problem).to_contain_text(SERVER_PROBLEM)
        expect(page.get_by_label("Password")).to_have_count(0)
    page.get_by_role("button", name="Try again").click()
    # the tab is in the address (a history entry): the reload reopens My trends
    expect(page.get_by_role("heading", level=1, name="My trends")).to_be_visible()
