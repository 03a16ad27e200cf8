"""The clinician's side of the questionnaires (issue 15, CLINICAL.md §12.9) in Chromium at
1280 and 768 px: a phone follow-up PGIC entered on the patient's behalf (its 400s beside the
field) changes the verdict on the patient page; the triage row says what is due and still
fits the worklist; a clinic administrator enters the HIT-6 wording, a colleague reads it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from diary.dates import local_calendar_date, local_today
from diary.models import Clinician, Hit6Wording, Patient, QuestionnaireResponse
from diary.services.insights import insights_sweep
from tests.cohort import Course, analyse_all, patient_with
from tests.e2e.axe import axe_check
from tests.e2e.test_clinician import clinician_sign_in, rows
from tests.e2e.test_clinician_pages import desk_page
from tests.factories import PASSWORD, TOTP_SECRET, ClinicianFactory

WIDTHS = (1280, 768)


@pytest.fixture
def doc(transactional_db: Any) -> Clinician:
    return ClinicianFactory.create(user__email="doc@example.org", user__display_name="Dr Okafor", is_clinic_admin=True)


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    page = desk_page(browser, 1280, 800)
    yield page
    page.context.close()


def today_of(patient: Patient) -> date:
    return local_today(patient.time_zone, patient.day_boundary)


def short(day: date) -> str:
    return f"{day.day} {day:%b}"  # the row's "22 Oct"


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= page.viewport_size["width"]  # type: ignore[index]


def test_a_phone_follow_up_pgic_entered_by_the_clinician_changes_the_verdict(
    desk: Page, live_server: Any, doc: Clinician
) -> None:
    """§12.6: a pain patient with no adequate response at the decision point, no PGIC yet;
    the clinician phones, enters 'much improved', and the page says partial response."""
    # PatientFactory's zone: its diary day decides the dates the form accepts
    probe = patient_with(doc, Course(pain=8, name="Nora Phone"), datetime.now(UTC).date())
    today = today_of(probe)
    analyse_all()
    clinician_sign_in(desk, live_server.url, "doc@example.org", PASSWORD, TOTP_SECRET)
    desk.goto(f"{live_server.url}/#/patients/{probe.public_id}")
    expect(desk.get_by_test_id("verdict-label")).to_have_text("No adequate response")
    expect(desk.get_by_test_id("verdict-attention")).to_have_text(re.compile("^No follow-up PGIC yet"))
    card = desk.get_by_test_id("questionnaires-card")
    expect(card.get_by_test_id("questionnaires-due")).to_contain_text("PGIC: follow-up, due since")

    card.get_by_role("link", name="Enter a response, or see every response").click()
    form = desk.get_by_test_id("questionnaire-entry")
    expect(form.get_by_role("radio", name="PGIC")).to_be_checked()  # the one due is chosen
    save = form.get_by_role("button", name="Save the PGIC response")

    # no answer: said beside the question, nothing sent
    save.click()
    pgic = form.get_by_test_id("pgic-fields")
    expect(pgic.locator(".field-error")).to_have_text("An answer is needed.")
    expect(desk.get_by_test_id("questionnaire-error")).to_contain_text("Nothing was saved")

    # a date in the future: the server's 400, in words beside the date, nothing stored
    form.get_by_role("radio", name=re.compile(r"^2 · ")).check()
    on = form.get_by_label("Completed on")
    # (the calendar day: just after midnight the diary day may still be yesterday's)
    on.fill((local_calendar_date(probe.time_zone) + timedelta(days=1)).isoformat())
    save.click()
    expect(on).to_have_attribute("aria-invalid", "true")
    said = desk.locator(f"#{on.get_attribute('aria-describedby')}")
    expect(said).to_have_text(re.compile(r"is in the future \(today is "))
    expect(pgic.locator(".field-error")).to_have_count(0)
    axe_check(desk, "Clinician: questionnaires, a date refused", widths=WIDTHS)
    no_sideways_scroll(desk)
    assert not QuestionnaireResponse.objects.exists()

    # the phone call was two days ago
    called = today - timedelta(days=2)
    desk.set_viewport_size({"width": 1280, "height": 800})
    on.fill(called.isoformat())
    save.click()
    expect(desk.get_by_role("status").filter(has_text="PGIC saved: 2 (much improved)")).to_be_visible()
    stored = QuestionnaireResponse.objects.get()
    assert (stored.instrument, stored.total, stored.completed_on, stored.entered_by) == ("pgic", 2, called, "clinician")
    expect(desk.get_by_test_id("questionnaires-counted")).to_contain_text("PGIC: follow-up 2 (much improved)")
    row = desk.get_by_test_id("questionnaire-responses").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Dr Okafor, for the patient")

    assert insights_sweep().stored == 1  # the worker's recompute, here at once
    desk.get_by_role("link", name="Overview").click()
    expect(desk.get_by_test_id("verdict-label")).to_have_text("Partial response")
    expect(desk.get_by_test_id("verdict-attention")).to_have_count(0)
    table = desk.get_by_test_id("verdict-questionnaires")
    expect(table).to_contain_text("much improved (2)")
    expect(table).to_contain_text("entered by a clinician")
    expect(desk.get_by_test_id("questionnaires-due")).to_have_text("Nothing is due.")
    axe_check(desk, "Clinician: overview, a verdict PGIC decided", widths=WIDTHS)


def test_the_triage_row_says_a_questionnaire_is_due_and_still_fits_at_1280_and_768(
    desk: Page, live_server: Any, doc: Clinician
) -> None:
    """Twelve patients, ten with a follow-up PGIC due: at least ten whole rows on the first
    1280×800 screen, every card within 768 px."""
    written = datetime.now(UTC).date()  # the courses' "today"
    for k in range(1, 11):
        patient_with(doc, Course(pain=8, name=f"Patient {k:02d} Example"), written)
    # one whose PGIC follow-up decides her verdict: its words are the longest score line
    pam = patient_with(doc, Course(pain=8, name="Pam"), written)
    QuestionnaireResponse.objects.create(
        patient=pam, instrument="pgic", completed_on=written - timedelta(days=1), total=1, entered_by="clinician"
    )
    # and one whose MIDAS and HIT-6 totals show in the row (the widest line it has)
    mira = patient_with(
        doc, Course(condition="migraine", baseline_headache_days=12, headache_days_per_28=8, name="Mira"), written
    )
    first = written - timedelta(days=100)
    for instrument, day, total in (
        ("midas", first - timedelta(days=3), 153),
        ("hit6", first - timedelta(days=3), 66),
        ("midas", written - timedelta(days=4), 151),
        ("hit6", written - timedelta(days=4), 65),
    ):
        QuestionnaireResponse.objects.create(
            patient=mira, instrument=instrument, completed_on=day, total=total, entered_by="clinician"
        )
    analyse_all()
    # the earliest evaluation date: 8 weeks on 4.5 mg, reached on the course's day 14
    since = written - timedelta(days=100) + timedelta(days=14 + 56)
    clinician_sign_in(desk, live_server.url, "doc@example.org", PASSWORD, TOTP_SECRET)
    expect(rows(desk)).to_have_count(12)
    for row in rows(desk).filter(has_text="Example").all():
        expect(row.get_by_test_id("triage-due")).to_have_text(f"PGIC due since {short(since)}")
    expect(rows(desk).filter(has_text="Mira").get_by_test_id("triage-scores")).to_have_text(
        "MIDAS 153→151 · HIT-6 66→65"
    )
    expect(rows(desk).filter(has_text="Pam").get_by_test_id("triage-scores")).to_have_text("PGIC: very much improved")
    bottoms = desk.evaluate(
        "() => [...document.querySelectorAll('[data-testid=triage-row]')].map((r) => r.getBoundingClientRect().bottom)"
    )
    assert len([b for b in bottoms if b <= 800]) >= 10, bottoms
    axe_check(desk, "Clinician: triage with questionnaires due", widths=WIDTHS)

    desk.set_viewport_size({"width": 768, "height": 1024})
    desk.reload()
    expect(rows(desk)).to_have_count(12)
    no_sideways_scroll(desk)
    # each questionnaire line stays inside its own card cell (no text running past its box)
    outside = desk.evaluate(
        """() => [...document.querySelectorAll('[data-testid=triage-due], [data-testid=triage-scores]')]
            .filter((e) => e.scrollWidth > e.clientWidth + 1)
            .map((e) => e.textContent)"""
    )
    assert outside == []


def test_a_clinic_admin_enters_the_hit6_wording_and_a_colleague_reads_it(
    desk: Page, browser: Browser, live_server: Any, doc: Clinician
) -> None:
    clinician_sign_in(desk, live_server.url, "doc@example.org", PASSWORD, TOTP_SECRET)
    desk.get_by_role("link", name="Clinic").click()
    expect(desk.get_by_test_id("hit6-status")).to_have_text("Not entered: patients cannot fill in HIT-6 in the app.")
    form = desk.get_by_test_id("hit6-wording-form")
    for n in range(1, 6):
        form.get_by_label(f"Question {n}", exact=True).fill(f"Licensed question {n}?")
    form.get_by_role("button", name="Save the wording").click()
    sixth = form.locator("textarea").nth(5)  # its name now includes the message
    expect(sixth).to_have_attribute("aria-invalid", "true")
    expect(desk.locator(f"#{sixth.get_attribute('aria-describedby')}")).to_have_text(
        "Question 6: enter its licensed text (1 to 500 characters)."
    )
    assert not Hit6Wording.objects.exists()
    axe_check(desk, "Clinician: clinic, HIT-6 wording refused", widths=WIDTHS)

    sixth.fill("Licensed question 6?")
    form.get_by_label(re.compile("^Licence note")).fill("Licence 2026-123")
    desk.set_viewport_size({"width": 1280, "height": 800})
    form.get_by_role("button", name="Save the wording").click()
    expect(desk.get_by_role("status").filter(has_text="The HIT-6 wording is saved.")).to_be_visible()
    expect(desk.get_by_test_id("hit6-status")).to_contain_text("Licence: Licence 2026-123")
    stored = Hit6Wording.objects.get(clinic=doc.clinic)
    assert stored.items == [f"Licensed question {n}?" for n in range(1, 7)]

    colleague = ClinicianFactory.create(clinic=doc.clinic, user__email="col@example.org")
    assert not colleague.is_clinic_admin
    other = desk_page(browser, 768, 1024)
    try:
        clinician_sign_in(other, live_server.url, "col@example.org", PASSWORD, TOTP_SECRET)
        other.get_by_role("link", name="Clinic").click()
        box = other.get_by_test_id("hit6-wording")
        expect(box.get_by_role("listitem")).to_have_count(6)
        expect(box.get_by_role("listitem").last).to_have_text("Licensed question 6?")
        expect(box).to_contain_text("Only a clinic administrator can enter or change the wording.")
        expect(other.get_by_test_id("hit6-wording-form")).to_have_count(0)
        axe_check(other, "Clinician: clinic, HIT-6 wording read only", widths=WIDTHS)
    finally:
        other.context.close()
