"""`make run`'s embedded set-up itself, in Chromium: SQLite, the filesystem broker, and the
web server, worker and beat that scripts/run-embedded.sh starts, with the demo data.

Nothing here touches the test database of the run: the app under test is the one a
newcomer gets. The clinician signs in with the code `manage.py totp_code` prints, reads
every page of the dashboard; the demo patient logs a day and finds it in History; a new
patient signs up with the code from the e-mail `make run` keeps under var/mail/; every
API read of both answers 2xx."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, Page, expect

from diary.demo.profiles import CLINICIAN_EMAIL, PROFILES
from tests.e2e.chromium import PHONE
from tests.e2e.conftest import choice, pick
from tests.e2e.embedded import DEMO_PASSWORD, Embedded, mail_with

pytestmark = pytest.mark.e2e


def api_reads_answer_2xx(page: Page, base: str, paths: list[str]) -> None:
    """Every read answers 2xx for this signed-in person (their session cookie)."""
    failures = {}
    for path in paths:
        reply = page.request.get(base + path)
        if not 200 <= reply.status < 300:
            failures[path] = (reply.status, reply.text()[:200])
    assert failures == {}


def current_code(embedded: Embedded) -> str:
    """The clinician's code from `manage.py totp_code`, with time left to type it: the
    command says how long its code stays valid, and on a busy machine the command alone
    can take seconds, so a code with little time left is asked for again in its next period."""
    while True:
        said = embedded.manage("totp_code", CLINICIAN_EMAIL)
        found = re.search(r"^(\d{6})\s+\(valid for (\d+) more seconds\)", said)
        assert found, said
        if int(found[2]) >= 10:
            return found[1]
        time.sleep(int(found[2]) + 1)


def test_the_clinician_reads_every_page_of_the_dashboard(embedded: Embedded, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    desk = context.new_page()
    desk.set_default_timeout(20_000)
    desk.goto(embedded.url + "/")
    desk.get_by_label("E-mail").fill(CLINICIAN_EMAIL)
    desk.get_by_label("Password").fill(DEMO_PASSWORD)
    desk.get_by_role("button", name="Sign in", exact=True).click()
    code_field = desk.get_by_label("Authenticator code")
    expect(code_field).to_be_visible()
    code_field.fill(current_code(embedded))  # as make run's banner says
    desk.get_by_role("button", name="Confirm").click()

    # The triage list: every demo patient (the list the 500 used to break).
    expect(desk.get_by_role("heading", name="Triage", level=1)).to_be_visible()
    rows = desk.get_by_test_id("triage-row")
    expect(rows).to_have_count(len(PROFILES))
    for profile in PROFILES:
        expect(desk.get_by_role("link", name=profile.name, exact=True)).to_be_visible()

    # A patient page, its report (page and PDF), the plan editor.
    first = PROFILES[0]
    desk.get_by_role("link", name=first.name, exact=True).click()
    expect(desk.get_by_role("heading", name=first.name, level=1)).to_be_visible()
    expect(desk.get_by_test_id("verdict-label")).not_to_be_empty()
    patient_id = re.search(r"#/patients/([0-9a-f-]{36})", desk.url)
    assert patient_id, desk.url
    report = desk.get_by_role("link", name=re.compile("Open the printable report")).get_attribute("href")
    html = desk.request.get(embedded.url + str(report))
    assert html.status == 200, html.text()[:300]
    assert first.name in html.text()
    pdf_href = desk.get_by_role("link", name=re.compile("Download the PDF")).get_attribute("href")
    pdf = desk.request.get(embedded.url + str(pdf_href))
    assert pdf.status == 200
    assert pdf.body().startswith(b"%PDF")
    desk.get_by_role("link", name="Plan and baseline").click()
    expect(desk.get_by_role("button", name="Add a step")).to_be_visible()
    expect(desk.get_by_test_id("current-steps")).to_contain_text("mg")

    # Clinic outcomes.
    desk.get_by_role("link", name="Outcomes", exact=True).click()
    expect(desk.get_by_test_id("outcome-categories").locator("tbody tr").first).to_be_visible()
    expect(desk.get_by_test_id("responder-rate")).to_contain_text("Responder rate")

    pid = patient_id.group(1)
    api_reads_answer_2xx(
        desk,
        embedded.url,
        [
            "/api/v1/whoami",
            "/api/v1/triage",
            "/api/v1/triage?q=a&flag_kind=opioid_interaction",
            "/api/v1/clinic/outcomes",
            "/api/v1/patients",
            "/api/v1/flags",
            "/api/v1/invitations",
            "/api/v1/plan-templates",
            f"/api/v1/patients/{pid}",
            f"/api/v1/patients/{pid}/entries",
            f"/api/v1/patients/{pid}/doses",
            f"/api/v1/patients/{pid}/plan",
            f"/api/v1/patients/{pid}/insights",
            f"/api/v1/patients/{pid}/report",
            f"/api/v1/patients/{pid}/report.pdf",
            "/api/v1/schema/",
        ],
    )
    context.close()


def test_the_demo_patient_logs_a_day_and_finds_it_in_history(embedded: Embedded, browser: Browser) -> None:
    context = browser.new_context(**PHONE, timezone_id=PROFILES[0].time_zone)
    phone = context.new_page()
    phone.set_default_timeout(20_000)
    phone.goto(embedded.url + "/")
    phone.get_by_label("E-mail").fill(PROFILES[0].email)
    phone.get_by_label("Password").fill(DEMO_PASSWORD)
    phone.get_by_role("button", name="Sign in", exact=True).click()
    expect(phone.get_by_role("heading", name="Today")).to_be_visible()
    expect(phone.get_by_test_id("connection")).to_have_text("Everything is synced")

    # both answers: whether the demo data already hold today depends on the hour it was seeded
    pick(phone, "Pain", "7")
    pick(phone, "Headache", "Mild")
    phone.get_by_role("button", name="Save", exact=True).click()
    expect(phone.get_by_test_id("day-status")).to_have_text("Synced")
    expect(phone.get_by_test_id("connection")).to_have_text("Everything is synced")
    today = phone.request.get(embedded.url + "/api/v1/me/today").json()["date"]

    phone.get_by_role("navigation", name="Sections").get_by_role("button", name="History", exact=True).click()
    expect(phone.get_by_role("heading", level=1, name="History")).to_be_visible()
    cell = phone.locator(f'button.calday[data-date="{today}"]')
    expect(cell).to_be_visible()
    expect(cell).not_to_have_attribute("data-kind", "empty")
    cell.click()
    expect(choice(phone, "Pain", "7")).to_have_attribute("aria-checked", "true")
    api_reads_answer_2xx(
        phone,
        embedded.url,
        [
            "/api/v1/whoami",
            "/api/v1/me/profile",
            "/api/v1/me/today",
            "/api/v1/me/plan",
            "/api/v1/me/changes",
            "/api/v1/me/entries",
            "/api/v1/me/doses",
            "/api/v1/me/insights",
            "/api/v1/me/care-links",
            "/api/v1/me/reminders",
            "/api/v1/me/export",
            "/api/v1/me/export?format=csv",
            "/api/v1/me/vapid-public-key",
        ],
    )
    day = phone.request.get(embedded.url + f"/api/v1/me/entries/{today}")
    assert day.status == 200
    assert day.json()["pain_score"] == 7
    context.close()


def test_a_newcomer_signs_up_with_the_code_from_the_kept_e_mail(embedded: Embedded, browser: Browser) -> None:
    context = browser.new_context(**PHONE, timezone_id="Europe/Berlin")
    phone = context.new_page()
    phone.set_default_timeout(20_000)
    phone.goto(embedded.url + "/")
    phone.get_by_role("button", name="New here? Create an account").click()
    phone.get_by_label("E-mail").fill("newcomer@example.org")
    phone.get_by_label("Password").fill("a long enough passphrase")
    pick(phone, "What do you take LDN for?", "Migraine")
    phone.get_by_role("button", name="Create an account").click()
    expect(phone.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    # make run printed where its e-mails are kept, and printed this one in its terminal
    banner = embedded.log.read_text()
    assert str(embedded.var / "mail") in banner
    assert "newcomer@example.org" in banner
    message = None
    deadline = time.monotonic() + 10
    while message is None and time.monotonic() < deadline:
        message = mail_with(embedded.var, "newcomer@example.org")
        time.sleep(0.2)
    assert message is not None, list((embedded.var / "mail").iterdir())
    body = message.get_payload(decode=True).decode() if not message.is_multipart() else ""
    body = body or message.get_payload(0).get_payload(decode=True).decode()
    code = re.search(r"^\s*([A-Z0-9]{3,5}(?:-[A-Z0-9]{3,5})?)\s*$", body, re.MULTILINE)
    assert code, body
    phone.get_by_label("Code from the e-mail").fill(code.group(1))
    phone.get_by_role("button", name="Confirm").click()
    expect(phone.get_by_role("heading", name="Today")).to_be_visible()
    context.close()
