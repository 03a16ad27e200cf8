"""The clinician dashboard in Chromium on a desktop screen: sign-in with TOTP, the triage
list, a patient page, the plan editor's warnings, invitations redeemed by a new patient,
and a clinician of another clinic who sees none of it."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from allauth.mfa import app_settings as mfa_settings
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from diary.dates import local_calendar_date, local_today
from diary.demo.generate import history_build
from diary.demo.profiles import PROFILES
from diary.demo.seed import patient_seed
from diary.models import AuditEvent, Clinician, DosePlan, Flag, Patient, ReportedBaseline
from diary.services.insights import insights_sweep
from tests.e2e.axe import axe_check
from tests.e2e.data import insight_with_data
from tests.factories import PASSWORD, TOTP_SECRET, ClinicianFactory, PatientFactory, link, totp_code

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
WIDTHS = (1280, 320)  # axe: desktop first, usable from 320 px


def axe(page: Page, label: str) -> None:
    axe_check(page, f"Clinician: {label}", widths=WIDTHS)


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    """A desktop-sized page of its own (the shared fixtures are phone-sized)."""
    context: BrowserContext = browser.new_context(viewport=DESKTOP, locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


# Three of the demo's patients (the whole demo takes over a minute to write here).
COHORT = ("nonresponder", "opioid", "responder")


@pytest.fixture
def demo(transactional_db: Any) -> Clinician:
    """A clinic with demo patients written through the real services (seed_demo's
    generator), analysed by the real insights engine."""
    clinician = ClinicianFactory.create(user__email="doc@example.org", user__display_name="Dr Okafor")
    password_hash = make_password(PASSWORD)
    now = timezone.now()
    for profile in PROFILES:
        if profile.key in COHORT:
            patient_seed(history_build(profile, now, random.Random(f"42:{profile.key}")), clinician, password_hash)
    assert insights_sweep().stored == len(COHORT)
    return clinician


def clinician_sign_in(page: Page, base_url: str, email: str, password: str, secret: str) -> None:
    page.goto(base_url + "/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    code = page.get_by_label("Authenticator code")
    expect(code).to_be_visible()
    # A code is valid for its 30-second period only: never type one in its last seconds.
    left = mfa_settings.TOTP_PERIOD - time.time() % mfa_settings.TOTP_PERIOD
    if left < 4:
        time.sleep(left + 0.1)
    code.fill(totp_code(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Triage", level=1)).to_be_visible()


def rows(page: Page) -> Any:
    return page.get_by_test_id("triage-row")


def test_triage_puts_the_opioid_flag_and_the_non_responder_first_and_a_flag_is_acknowledged(
    desk: Page, live_server: Any, demo: Clinician
) -> None:
    clinician_sign_in(desk, live_server.url, "doc@example.org", PASSWORD, TOTP_SECRET)
    expect(desk.get_by_test_id("triage-count")).to_have_text(f"{Patient.objects.count()} patients")
    first = rows(desk).first
    expect(first.get_by_role("link")).to_have_text("Daniel Murphy")
    expect(first.get_by_test_id("triage-flag").first).to_have_attribute("data-kind", "opioid_interaction")
    expect(first.get_by_test_id("triage-flag").first).to_contain_text("Critical")

    # Every patient with an open flag comes before every patient without one, and the
    # non-responder is among the flagged.
    names = rows(desk).get_by_role("link").all_inner_texts()
    flagged = [r.get_by_test_id("triage-flag").count() > 0 for r in rows(desk).all()]
    assert flagged == sorted(flagged, reverse=True), list(zip(names, flagged, strict=True))
    priya = names.index("Priya Shah")
    assert flagged[priya]
    expect(rows(desk).nth(priya)).to_contain_text("No adequate response")
    expect(rows(desk).nth(priya).get_by_role("img")).to_have_attribute("aria-label", re.compile("Headache days per 28"))
    axe(desk, "triage")

    # Search by name.
    desk.get_by_label("Search by name or e-mail").fill("priya")
    desk.get_by_role("button", name="Search", exact=True).click()
    expect(desk.get_by_test_id("triage-count")).to_have_text("1 patient")
    expect(rows(desk).first.get_by_role("link")).to_have_text("Priya Shah")
    desk.get_by_label("Search by name or e-mail").fill("")
    desk.get_by_role("button", name="Search", exact=True).click()
    expect(desk.get_by_test_id("triage-count")).to_have_text("3 patients")

    # Filters: only the opioid flag kind.
    desk.get_by_label("Flag kind").select_option("opioid_interaction")
    expect(desk.get_by_test_id("triage-count")).to_have_text("1 patient")
    expect(rows(desk).first.get_by_role("link")).to_have_text("Daniel Murphy")

    # Flag actions are in the row's flags menu (issue 16: a compact worklist row).
    rows(desk).first.get_by_role("button", name=re.compile("^4 flags of Daniel Murphy")).click()
    desk.get_by_role("button", name="Acknowledge “Opioid logged while on LDN” for Daniel Murphy").click()
    dialog = desk.get_by_role("dialog")
    expect(dialog).to_be_visible()
    axe(desk, "acknowledge dialog")
    dialog.get_by_label("Note (optional)").fill("Called him: tramadol stopped.")
    dialog.get_by_role("button", name="Acknowledge").click()
    expect(desk.get_by_role("status").filter(has_text="Acknowledged")).to_be_visible()
    flag = Flag.objects.get(patient__user__display_name="Daniel Murphy", kind="opioid_interaction")
    assert (flag.status, flag.acknowledge_note) == ("acknowledged", "Called him: tramadol stopped.")
    assert flag.acknowledged_by == demo
    expect(rows(desk).first.get_by_test_id("triage-flag").first).to_contain_text("(Acknowledged)")


def test_patient_page_charts_tables_audit_and_the_plan_warning_before_saving(
    desk: Page, live_server: Any, demo: Clinician
) -> None:
    priya = Patient.objects.get(user__display_name="Priya Shah")
    clinician_sign_in(desk, live_server.url, "doc@example.org", PASSWORD, TOTP_SECRET)
    before = AuditEvent.objects.filter(patient=priya).count()
    requests: list[str] = []
    desk.on("request", lambda request: requests.append(request.url))
    desk.get_by_role("link", name="Priya Shah").click()
    expect(desk).to_have_url(re.compile(f"#/patients/{priya.public_id}$"))
    expect(desk.get_by_role("heading", name="Priya Shah", level=1)).to_be_visible()
    expect(desk.get_by_test_id("verdict-label")).to_have_text("No adequate response")
    expect(desk.get_by_test_id("caveats")).to_contain_text("Placebo response")
    expect(desk.get_by_test_id("verdict")).to_contain_text("Rules version 2")
    for chart in ("pain", "headache", "sleep"):
        figure = desk.get_by_test_id(f"chart-{chart}")
        expect(figure.locator("canvas")).to_have_count(1)
        figure.get_by_text("Show the numbers (table)").click()
        expect(figure.get_by_role("table").locator("tbody tr").first).to_be_visible()
    # The daily dots come from the insights answer's `daily` block: the overview asks for
    # nothing else (issue 17: no second request for the same days).
    pain = desk.get_by_test_id("chart-pain-table")
    column = pain.locator("thead th").all_inner_texts().index("Daily pain (weekly mean)")
    daily = pain.locator(f"tbody tr td:nth-child({column + 1})").all_inner_texts()
    assert any(re.fullmatch(r"\d+\.\d", cell) for cell in daily), daily
    assert [url for url in requests if "/api/v1/patients/" in url and "/entries" in url] == []
    expect(desk.get_by_test_id("segments").locator("tbody tr")).to_have_count(
        1 + 1 + 2  # 1.5 and 3 mg for 7 days: settling only, listed once (issue 16); 4.5 mg settling + steady
    )
    expect(desk.get_by_test_id("se-by-step")).to_be_visible()
    expect(desk.get_by_test_id("se-by-time")).to_contain_text("Bedtime")
    expect(desk.get_by_test_id("overuse")).to_contain_text("Triptan")
    report = desk.get_by_role("link", name=re.compile("Open the printable report"))
    expect(report).to_have_attribute("href", re.compile(rf"/api/v1/patients/{priya.public_id}/report\?start=.*&end="))
    html = desk.request.get(live_server.url + str(report.get_attribute("href")))
    assert html.status == 200
    assert "text/html" in html.headers["content-type"]
    # opened in the browser, the report is styled: its CSP lets its own <style> apply, and
    # Chromium reports no violation
    printable = desk.context.new_page()
    messages: list[str] = []
    printable.on("console", lambda message: messages.append(message.text))
    printable.goto(live_server.url + str(report.get_attribute("href")))
    assert printable.evaluate("getComputedStyle(document.body).fontSize") == "11.2px"  # 8.4pt, the report's own
    assert [m for m in messages if "Content Security Policy" in m] == []
    printable.close()
    pdf = desk.get_by_role("link", name=re.compile("Download the PDF")).get_attribute("href")
    reply = desk.request.get(live_server.url + str(pdf))
    assert reply.status == 200
    assert reply.body().startswith(b"%PDF")
    fhir = desk.get_by_role("link", name="Download the whole diary for an EHR (FHIR R4)")
    expect(fhir).to_have_attribute("href", f"/api/v1/patients/{priya.public_id}/export.fhir")
    bundle = desk.request.get(live_server.url + str(fhir.get_attribute("href")))
    assert bundle.status == 200
    assert bundle.headers["content-type"] == "application/fhir+json"
    assert bundle.json()["resourceType"] == "Bundle"
    axe(desk, "patient overview")

    actions = set(AuditEvent.objects.filter(patient=priya).values_list("action", flat=True)[:1000])
    assert {"patient.read", "insights.read", "export.fhir"} <= actions
    assert "entries.list" not in actions  # the overview's daily values are part of its insights read
    assert AuditEvent.objects.filter(patient=priya).count() >= before + 3
    assert AuditEvent.objects.filter(patient=priya, action="insights.read", actor=demo.user).exists()

    # The raw diary, one month at a time.
    desk.get_by_role("link", name="Diary", exact=True).click()
    expect(desk.get_by_test_id("diary").locator("tbody tr").first).to_be_visible()
    assert AuditEvent.objects.filter(patient=priya, action="entries.list", actor=demo.user).exists()
    axe(desk, "diary")
    desk.get_by_role("link", name=re.compile("Previous month")).click()
    expect(desk.get_by_test_id("diary").locator("tbody tr").first).to_be_visible()
    desk.go_back()
    desk.go_back()
    expect(desk.get_by_test_id("verdict-label")).to_have_text("No adequate response")

    # The plan: a new step above 4.5 mg is warned about before anything is saved.
    desk.get_by_role("link", name="Plan and baseline").click()
    steps_before = list(DosePlan.objects.get(patient=priya, stopped_on=None).steps.values_list("mg", flat=True))
    desk.get_by_role("button", name="Add a step").click()
    new_step = desk.get_by_test_id("plan-step").last
    future = local_today(priya.time_zone, priya.day_boundary) + timedelta(days=7)
    new_step.get_by_label("Starts on").fill(future.isoformat())
    new_step.get_by_label("Dose (mg)").fill("6")
    desk.get_by_role("button", name="Check", exact=True).click()
    warnings = desk.get_by_test_id("plan-warnings")
    expect(warnings).to_contain_text("Warnings (the plan can still be saved)")
    expect(warnings).to_contain_text("4.5")
    axe(desk, "plan editor with warnings")
    plan = DosePlan.objects.get(patient=priya, stopped_on=None)
    assert list(plan.steps.values_list("mg", flat=True)) == steps_before  # a check saves nothing

    # Saving checks first and asks (issue 16): nothing is saved before "Save anyway".
    desk.get_by_role("button", name="Save the plan").click()
    expect(desk.get_by_test_id("plan-warnings")).to_contain_text("Save Priya Shah's plan with these warnings?")
    assert list(DosePlan.objects.get(patient=priya, stopped_on=None).steps.values_list("mg", flat=True)) == steps_before
    desk.get_by_role("button", name="Save anyway").click()
    expect(desk.get_by_test_id("plan-done")).to_have_text("Plan saved, with the warnings you confirmed.")
    expect(desk.get_by_test_id("current-steps")).to_contain_text("6.0 mg")
    plan = DosePlan.objects.get(patient=priya, stopped_on=None)
    assert Decimal("6") in set(plan.steps.values_list("mg", flat=True))

    # The outcomes page.
    desk.get_by_role("link", name="Outcomes", exact=True).click()
    expect(desk.get_by_test_id("outcome-categories").locator("tbody tr")).to_have_count(3)
    expect(desk.get_by_test_id("responder-rate")).to_contain_text("Responder rate")
    axe(desk, "clinic outcomes")


def test_an_invitation_is_redeemed_in_another_browser_and_only_this_clinic_sees_the_patient(
    desk: Page, live_server: Any, browser: Browser
) -> None:
    clinician = ClinicianFactory.create(user__email="doc@example.org", user__display_name="Dr Who")
    clinician_sign_in(desk, live_server.url, "doc@example.org", PASSWORD, TOTP_SECRET)
    expect(desk.get_by_test_id("triage-count")).to_have_text("0 patients")

    desk.get_by_role("link", name="Invite", exact=True).click()
    expect(desk.get_by_role("heading", name="Invite a patient", level=1)).to_be_visible()
    desk.get_by_label(re.compile("Note for your reference")).fill("A.B.")
    desk.get_by_role("button", name="Create an invitation").click()
    code = desk.get_by_test_id("invite-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9-]{6,}", code), code
    expect(desk.get_by_test_id("links-invited")).to_contain_text("A.B.")
    expect(desk.get_by_test_id("invite-qr").get_by_role("img")).to_be_visible()
    expect(desk.get_by_test_id("invite-url")).to_contain_text(code)
    # A second one, revoked.
    desk.get_by_label(re.compile("Note for your reference")).fill("C.D.")
    desk.get_by_role("button", name="Create an invitation").click()
    expect(desk.get_by_test_id("links-invited").locator("tbody tr")).to_have_count(2)
    desk.get_by_role("button", name="Revoke the invitation C.D.").click()
    expect(desk.get_by_test_id("links-revoked")).to_contain_text("C.D.")
    expect(desk.get_by_test_id("links-invited").locator("tbody tr")).to_have_count(1)
    axe(desk, "invite")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB", timezone_id="Europe/Berlin")
    try:
        p = phone.new_page()
        p.goto(live_server.url + "/")
        p.get_by_role("button", name="New here? Create an account").click()
        p.get_by_label("E-mail").fill("new.patient@example.org")
        p.get_by_label("Password").fill("a long enough passphrase")
        p.get_by_label("Your name (optional)").fill("Nina New")
        p.get_by_label("Invitation code").fill(code)
        conditions = p.get_by_role("radiogroup", name="What do you take LDN for?")
        conditions.get_by_role("radio", name="Migraine", exact=True).click()
        # a typed code is checked first: the consent then names the clinic and clinician (issue 13)
        p.get_by_role("button", name="Check the code").click()
        p.get_by_label(re.compile(r"^I agree that .*'s care team \(invited by .*\) can see my diary")).check()
        p.get_by_role("button", name="Create an account").click()
        expect(p.get_by_role("heading", name="Check your e-mail")).to_be_visible()
        found = re.search(r"^\s*([A-Z0-9]{3,5}(?:-[A-Z0-9]{3,5})?)\s*$", str(mail.outbox[-1].body), re.MULTILINE)
        assert found, mail.outbox[-1].body
        p.get_by_label("Code from the e-mail").fill(found.group(1))
        p.get_by_role("button", name="Confirm").click()
        expect(p.get_by_role("heading", name="Today")).to_be_visible()
    finally:
        phone.close()

    desk.get_by_role("link", name="Triage", exact=True).click()
    expect(rows(desk)).to_have_count(1)
    expect(rows(desk).first.get_by_role("link")).to_have_text("Nina New")
    desk.get_by_role("link", name="Invite", exact=True).click()
    expect(desk.get_by_test_id("links-active")).to_contain_text("A.B.")

    # A clinician of another clinic: not in the list, not in search, 404 from the API.
    patient = Patient.objects.get(user__email="new.patient@example.org")
    ClinicianFactory.create(user__email="other@example.org")
    other_context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    try:
        other = other_context.new_page()
        clinician_sign_in(other, live_server.url, "other@example.org", PASSWORD, TOTP_SECRET)
        expect(other.get_by_test_id("triage-count")).to_have_text("0 patients")
        other.get_by_label("Search by name or e-mail").fill("Nina")
        other.get_by_role("button", name="Search", exact=True).click()
        expect(other.get_by_test_id("triage-count")).to_have_text("0 patients")
        for path in ("", "/insights", "/entries", "/plan"):
            assert other.request.get(f"{live_server.url}/api/v1/patients/{patient.public_id}{path}").status == 404
        other.goto(f"{live_server.url}/#/patients/{patient.public_id}")
        expect(other.get_by_role("alert")).to_have_text("There is no patient with this id in your clinic.")
    finally:
        other_context.close()
    assert clinician.clinic.care_links.filter(patient=patient, status="active").exists()


def zone_on_another_date() -> str:
    """A time zone whose calendar date is not UTC's right now (so a page that dates things
    by UTC, or by the clinician's own zone, would be caught)."""
    return "Pacific/Kiritimati" if datetime.now(UTC).hour >= 10 else "Pacific/Pago_Pago"  # UTC+14 / UTC-11


def test_a_flag_is_resolved_and_a_plan_is_written_from_a_template_stopped_once_confirmed_and_a_baseline_reported(
    desk: Page, live_server: Any
) -> None:
    clinician = ClinicianFactory.create(user__email="doc@example.org", user__display_name="Dr Okafor")
    zone = zone_on_another_date()
    rosa = PatientFactory.create(user__display_name="Rosa Example", time_zone=zone)
    link(rosa, clinician)
    today = local_calendar_date(zone)
    assert today != datetime.now(UTC).date(), (zone, today)
    flag = Flag.objects.create(patient=rosa, kind="adverse_event", severity="high", evidence={}, rules_version="1")

    # Resolve the flag from the triage list, with a note.
    clinician_sign_in(desk, live_server.url, "doc@example.org", PASSWORD, TOTP_SECRET)
    row = rows(desk).first
    expect(row.get_by_test_id("triage-flag")).to_have_count(1)
    row.get_by_role("button", name=re.compile("^1 flag of Rosa Example")).click()  # the row's flags menu
    row.get_by_role("button", name=re.compile("^Resolve “.+” for Rosa Example$")).click()
    dialog = desk.get_by_role("dialog")
    dialog.get_by_label("Note (optional)").fill("Vivid dreams gone since the morning dose.")
    dialog.get_by_role("button", name="Resolve", exact=True).click()
    expect(row.get_by_test_id("triage-flag")).to_have_count(0)
    flag.refresh_from_db()
    assert (flag.status, flag.resolve_note, flag.resolved_by) == (
        "resolved",
        "Vivid dreams gone since the morning dose.",
        clinician,
    )

    # A plan from the template for sensitive patients: 0.5 mg more every 2 weeks, dated
    # from the patient's today (not the clinician's, not UTC's).
    row.get_by_role("link", name="Rosa Example").click()
    desk.get_by_role("link", name="Plan and baseline").click()
    expect(desk.get_by_label("First step on")).to_have_value(today.isoformat())
    expect(desk.get_by_test_id("plan-step").get_by_label("Starts on")).to_have_value(today.isoformat())
    desk.get_by_label("Start from").select_option(label="0.5 mg steps every 2 weeks")
    desk.get_by_role("button", name="Use this template").click()
    steps = desk.get_by_test_id("plan-step")
    expect(steps).to_have_count(9)
    expect(steps.first.get_by_label("Dose (mg)")).to_have_value("0.5")
    expect(steps.last.get_by_label("Dose (mg)")).to_have_value("4.5")
    expect(steps.last.get_by_label("Starts on")).to_have_value((today + timedelta(days=8 * 14)).isoformat())
    desk.get_by_role("button", name="Save the plan").click()
    expect(desk.get_by_role("status").filter(has_text="Plan saved.")).to_be_visible()
    plan = DosePlan.objects.get(patient=rosa, stopped_on=None)
    assert [(s.start_date, s.mg) for s in plan.steps.order_by("start_date")] == [
        (today + timedelta(days=14 * k), Decimal(k + 1) / 2) for k in range(9)
    ]

    # Stopping asks first; the stop is dated on the patient's today by default.
    stop = desk.get_by_role("form", name="Stop the plan")
    stop.get_by_label("No benefit").check()
    expect(stop.get_by_label("Stopped on")).to_have_value(today.isoformat())
    stop.get_by_role("button", name="Stop the plan").click()
    expect(stop.get_by_test_id("stop-confirm")).to_contain_text("Stop Rosa Example's plan on")
    expect(stop.get_by_test_id("stop-confirm")).to_contain_text("No benefit")
    axe(desk, "plan editor, stop to confirm")
    plan.refresh_from_db()
    assert plan.stopped_on is None  # nothing happens before the confirmation
    stop.get_by_role("button", name="Cancel").click()
    expect(stop.get_by_test_id("stop-confirm")).to_have_count(0)
    stop.get_by_role("button", name="Stop the plan").click()
    stop.get_by_role("button", name="Yes, stop the plan").click()
    expect(desk.get_by_test_id("plan-stopped")).to_contain_text("No benefit")
    plan.refresh_from_db()
    assert (plan.stopped_on, plan.stop_reason, plan.stopped_by) == (today, "no_benefit", clinician)

    # A reported baseline: the server's 400 is shown and nothing is stored; then it is saved.
    baseline = desk.get_by_role("form", name="Reported baseline")
    baseline.get_by_label("Headache days per month").fill("12")
    baseline.get_by_label("Migraine days per month (optional)").fill("14")
    baseline.get_by_role("button", name="Save the baseline").click()
    expect(baseline.get_by_role("alert")).to_contain_text("at most the headache days")
    assert not ReportedBaseline.objects.filter(patient=rosa).exists()
    baseline.get_by_label("Migraine days per month (optional)").fill("6")
    baseline.get_by_label("Mean pain 0–10 (optional)").fill("5.5")
    baseline.get_by_role("button", name="Save the baseline").click()
    expect(baseline.get_by_role("status")).to_have_text("Baseline saved.")
    stored = ReportedBaseline.objects.get(patient=rosa)
    assert (stored.monthly_headache_days, stored.monthly_migraine_days, stored.mean_pain, stored.entered_by) == (
        Decimal("12"),
        Decimal("6"),
        Decimal("5.5"),
        clinician,
    )


def test_a_patient_whose_data_changed_since_the_analysis_is_shown_as_being_recalculated(
    desk: Page, live_server: Any, patient: Patient
) -> None:
    clinician = ClinicianFactory.create(user__email="doc@example.org")
    link(patient, clinician)
    insight_with_data(patient)
    Patient.objects.filter(pk=patient.pk).update(insights_stale_since=timezone.now())
    clinician_sign_in(desk, live_server.url, "doc@example.org", PASSWORD, TOTP_SECRET)
    desk.get_by_role("link", name="Pat").click()
    expect(desk.get_by_test_id("insights-stale")).to_have_text(
        "Being recalculated: this verdict and these flags are from before the latest data."
    )
    expect(desk.get_by_test_id("verdict")).to_be_visible()
