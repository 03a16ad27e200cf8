"""Browser tests: the built PWA (frontend/dist) in Debian's Chromium, on a phone-sized
screen, against a live Django server on the real PostgreSQL of `make test`."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from playwright.sync_api import Locator, Page, Playwright, expect

from diary.dates import local_today
from diary.models import Patient
from tests.e2e.chromium import ARGS, CHROMIUM, PHONE
from tests.e2e.embedded import embedded  # noqa: F401 (a fixture: make run's set-up, once per module that asks)
from tests.factories import PASSWORD, ClinicianFactory, PatientFactory, link, plan_for


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # Playwright's own browser download cannot work here: use Debian's Chromium.
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_context_args,
        **PHONE,
        "timezone_id": "Europe/Berlin",
    }


@pytest.fixture(scope="session", autouse=True)
def _close_connections_opened_while_playwright_runs(playwright: Playwright) -> Iterator[None]:
    """From the first browser test to the end of the session, Django's connections in the
    main thread are not the ones opened before: the sync Playwright API runs the rest of
    the session in its event loop's context, and Django keeps connections per context. A
    test database connection opened in that context (by any later test) would still be
    open when pytest-django drops the test database from the original context ("test_ldn
    is being accessed by other users"). This teardown runs before Playwright's, in its
    context, and closes them."""
    yield
    connections.close_all()


@pytest.fixture(autouse=True)
def _e2e_setup(request: pytest.FixtureRequest) -> Iterator[None]:
    # The test database before the browser, and the browser closed first: pytest-django
    # empties the database when the test ends, and a page still open then (Today refreshing,
    # the service worker syncing) sends requests whose transactions met the flush's
    # TRUNCATE in a deadlock (a CI run on 2026-12-05), failing the next two tests.
    with_database = "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
    if with_database:
        request.getfixturevalue("transactional_db")
    page: Page = request.getfixturevalue("page")
    # The sync Playwright API keeps an event loop running in the main thread from its
    # first use to the end of the session, so Django's async-safety guard would refuse
    # every ORM call after it (in these tests, and in pytest-django's flushes and final
    # teardown). The calls are plain synchronous ones: the guard steps aside from the
    # first browser test on, and stays aside (the teardown at the session's end needs it).
    # (tests/config/test_settings.py keeps it out of its `check --deploy` subprocess.)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    if not (settings.FRONTEND_DIST / "index.html").is_file():
        pytest.fail("frontend/dist is not built: run scripts/frontend.sh (make test does).")
    page.set_default_timeout(10_000)
    expect.set_options(timeout=10_000)
    yield
    browser = page.context.browser
    for context in list(browser.contexts if browser else [page.context]):
        context.close()
    if with_database:
        _wait_for_requests_in_flight()


def _wait_for_requests_in_flight(seconds: float = 10) -> None:
    """Until no other connection to the test database is inside a statement or a
    transaction: a request the closed browser sent may still be running on the live server."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)


@pytest.fixture
def patient(transactional_db: Any) -> Patient:
    """A verified patient in Berlin whose plan says 1.5 mg at bedtime today."""
    clinician = ClinicianFactory.create()
    patient = PatientFactory.create(user__email="pat@example.org", user__display_name="Pat")
    link(patient, clinician)
    today = local_today(patient.time_zone, patient.day_boundary)
    plan = plan_for(patient, clinician, [(today - timedelta(days=7), "1.5")])
    plan.steps.update(time_of_day="bedtime")
    return patient


def diary_day(patient: Patient) -> Any:
    return local_today(patient.time_zone, patient.day_boundary)


def choice(page: Page, question: str, option: str) -> Locator:
    """An option of a question on Today: a radio group (one tab stop, arrow keys) whose name
    starts with `question` ("Pain", "Headache", "Sleep": the rest names the day). (A group of
    toggle buttons is found too, so a test of a behaviour fails on that behaviour, not on
    the widget, when it is run against code from before the radio groups.)"""
    name = re.compile(f"^{re.escape(question)}")
    group = page.get_by_role("radiogroup", name=name).or_(page.get_by_role("group", name=name))
    return group.get_by_role("radio", name=option, exact=True).or_(group.get_by_role("button", name=option, exact=True))


def chosen(page: Page, question: str) -> Locator:
    """The option now chosen for a question (expect it `to_have_text` the option)."""
    name = re.compile(f"^{re.escape(question)}")
    group = page.get_by_role("radiogroup", name=name).or_(page.get_by_role("group", name=name))
    return group.locator('[aria-checked="true"], [aria-pressed="true"]')


def pick(page: Page, question: str, option: str) -> None:
    choice(page, question, option).click()


def sign_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(base_url + "/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    expect(page.get_by_test_id("connection")).to_have_text("Everything is synced")


def outbox_size(page: Page) -> int:
    """How many changes wait in the app's outbox (IndexedDB) on this page's phone."""
    size: int = page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open("ldn-diary");
            open.onsuccess = () => {
                const r = open.result.transaction("outbox").objectStore("outbox").count();
                r.onsuccess = () => resolve(r.result);
                r.onerror = () => reject(r.error);
            };
        })"""
    )
    return size
