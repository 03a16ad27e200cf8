"""Issue 15, the patient's side: a pain patient at the earliest evaluation date (CLINICAL.md
§12.4, 8 weeks on the clock) sees PGIC due on Today, answers it offline on a 390×844
phone, the phone reconnects and sends it once, and the clinician's patient data then show
the response and the verdict §12.6 gives (a non_responder by pain made partial)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from diary.choices import EnteredBy
from diary.models import Clinician, Patient, QuestionnaireResponse
from diary.services.dosing import dose_log_record
from diary.services.entries import entry_record
from diary.services.inputs import DoseLogData
from diary.services.insights import insights_sweep
from tests.e2e.axe import axe_check
from tests.e2e.chromium import PHONE
from tests.e2e.conftest import diary_day, outbox_size
from tests.factories import PASSWORD, ClinicianFactory, PatientFactory, app_session_token, link, plan_for

pytestmark = pytest.mark.e2e

EARLIEST_WEEKS = 8


@pytest.fixture
def at_evaluation(transactional_db: Any) -> tuple[Patient, Clinician]:
    """Fibromyalgia; 28 diary days before the first dose, then the 4.5 mg target taken daily
    for 8 weeks with the same pain (0% reduction), an 8-week decision point: a non_responder
    on the earliest evaluation date, analysed by the real engine."""
    clinician = ClinicianFactory.create(user__email="doc@example.org")
    patient = PatientFactory.create(
        user__email="fiona@example.org", user__display_name="Fiona", primary_condition="fibromyalgia"
    )
    link(patient, clinician)
    today = diary_day(patient)
    first = today - timedelta(days=EARLIEST_WEEKS * 7)
    plan_for(patient, clinician, [(first, "4.5")], decision_weeks=EARLIEST_WEEKS)  # decided on this day
    for back in range((today - first).days + 28, -1, -1):
        day = today - timedelta(days=back)
        entry_record(
            patient=patient, day=day, data={"pain_score": 5, "headache": 0, "sleep_quality": 6}, actor=patient.user
        )
        if day >= first:
            dose: DoseLogData = {
                "client_id": uuid.uuid4(),
                "date": day,
                "taken": True,
                "mg": Decimal("4.5"),
                "time_of_day": "bedtime",
            }
            dose_log_record(patient=patient, data=dose)
    assert insights_sweep().stored == 1
    return patient, clinician


def signed_in(page: Page, url: str, email: str) -> None:
    page.goto(url + "/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_test_id("connection")).to_have_text("Everything is synced")


def clinician_reads(token: str, path: str) -> Any:
    """A clinician's API read (a session token that passed the second factor), as JSON."""
    reply = Client().get(path, HTTP_X_SESSION_TOKEN=token)
    assert reply.status_code == 200, (path, reply.status_code, reply.content[:300])
    return reply.json()


def test_pgic_due_at_the_earliest_evaluation_is_answered_offline_synced_once_and_makes_partial(
    browser: Browser, live_server: Any, at_evaluation: tuple[Patient, Clinician]
) -> None:
    patient, clinician = at_evaluation
    base = f"/api/v1/patients/{patient.public_id}"
    doctor = app_session_token(clinician.user.email)  # one sign-in: a TOTP code is used once
    before = clinician_reads(doctor, f"{base}/insights")
    assert before["verdict"]["kind"] == "non_responder", before["verdict"]
    assert before["verdict"]["evidence"]["clock"]["earliest_evaluation"] == diary_day(patient).isoformat()

    context = browser.new_context(**PHONE, timezone_id="Europe/Berlin")
    page = context.new_page()
    page.set_default_timeout(15_000)
    signed_in(page, live_server.url, "fiona@example.org")

    card = page.get_by_test_id("questionnaire")
    expect(card.get_by_role("heading", name="2 minutes: how has LDN changed things for you?")).to_be_visible()
    axe_check(page, "Today: a questionnaire due")

    # The connection drops; the patient answers anyway.
    context.set_offline(True)
    expect(page.get_by_test_id("connection")).to_contain_text("Offline")
    card.get_by_role("button", name="Answer now").click()
    group = card.get_by_role(
        "radiogroup", name="Since you started LDN, how would you describe the change in your condition overall?"
    )
    expect(group.get_by_role("radio")).to_have_count(7)
    expect(card.get_by_role("spinbutton")).to_have_count(0)  # a pain patient: PGIC only, no MIDAS
    # nothing chosen: asked before anything is queued
    card.get_by_role("button", name="Send my answers").click()
    expect(card.get_by_role("alert")).to_have_text("Choose one answer.")
    assert outbox_size(page) == 0
    axe_check(page, "Today: the questionnaire, an answer missing")
    group.get_by_role("radio", name="Much improved", exact=True).click()  # one tap
    send = card.get_by_role("button", name="Send my answers")
    # "Send" comes into view clear of the day's fixed Save bar (a patient must not tap Save)
    page.wait_for_function(
        """() => {
            const send = [...document.querySelectorAll("button")].find((b) => b.textContent === "Send my answers");
            const bar = document.querySelector(".savebar");
            return send && bar && send.getBoundingClientRect().bottom <= bar.getBoundingClientRect().top;
        }"""
    )
    expect(send).to_be_in_viewport()
    send.click()
    expect(card.get_by_test_id("questionnaire-done")).to_have_text(
        "Thank you: your answers are saved on this phone and will be sent when you are online."
    )
    expect(card.get_by_role("button", name="Answer now")).to_have_count(0)
    assert outbox_size(page) == 1
    assert not QuestionnaireResponse.objects.filter(patient=patient).exists()
    axe_check(page, "Today: questionnaire answered offline")

    # Back online: the phone sends it by itself.
    context.set_offline(False)
    expect(page.get_by_test_id("connection")).to_have_text("Everything is synced")
    assert outbox_size(page) == 0
    page.reload()  # what is due, read again from the server: nothing
    expect(page.get_by_test_id("connection")).to_have_text("Everything is synced")
    expect(page.get_by_test_id("questionnaire")).to_have_count(0)
    # My trends: the patient's own answer, in words
    page.get_by_role("navigation", name="Sections").get_by_role("button", name="My trends").click()
    scores = page.get_by_test_id("my-questionnaires")
    expect(scores).to_contain_text("Since starting LDN: much improved")
    axe_check(page, "My trends: my questionnaires")
    stored = list(QuestionnaireResponse.objects.filter(patient=patient))
    assert [(r.instrument, r.total, r.entered_by, r.completed_on) for r in stored] == [
        ("pgic", 2, EnteredBy.PATIENT, diary_day(patient))
    ]
    context.close()

    # The recompute (the sweep the worker runs) and what the clinician sees.
    assert insights_sweep().stored == 1
    after = clinician_reads(doctor, f"{base}/insights")
    assert after["verdict"]["kind"] == "partial", after["verdict"]
    pgic = after["verdict"]["evidence"]["questionnaire"]["instruments"]["pgic"]
    assert pgic["followup"]["total"] == 2
    mine = clinician_reads(doctor, f"{base}/questionnaires")
    assert [(r["instrument"], r["total"], r["entered_by"]) for r in mine["responses"]] == [("pgic", 2, "patient")]
    assert mine["due"] == []


def test_a_migraine_patient_fills_the_midas_baseline_checked_before_it_is_queued(
    page: Page, live_server: Any, transactional_db: Any
) -> None:
    """A plan and no dose yet: the MIDAS baseline is due (§12.3); HIT-6 too, but without the
    clinic's licensed wording the app does not ask it. A day count out of range is caught
    on the phone, in words, before anything is queued."""
    clinician = ClinicianFactory.create()
    patient = PatientFactory.create(user__email="mia@example.org", primary_condition="migraine")
    link(patient, clinician)
    plan_for(patient, clinician, [(diary_day(patient) + timedelta(days=3), "1.5")])
    signed_in(page, live_server.url, "mia@example.org")
    card = page.get_by_test_id("questionnaire")
    card.get_by_role("button", name="Answer now").click()
    expect(card.get_by_role("radiogroup")).to_have_count(1)  # MIDAS B only: no PGIC, no HIT-6
    days = card.get_by_role("textbox")
    expect(days).to_have_count(6)  # five day counts and A
    for i, value in enumerate(["3", "91", "2", "0", "4"]):
        days.nth(i).fill(value)
    card.get_by_role("button", name="Send my answers").click()
    expect(card.get_by_role("alert")).to_have_text("A whole number of days, from 0 to 90.")
    expect(days.nth(1)).to_be_focused()
    assert outbox_size(page) == 0
    axe_check(page, "Today: MIDAS, a day count out of range")
    days.nth(1).fill("9")
    card.get_by_role("radiogroup").get_by_role("radio", name="6", exact=True).click()
    card.get_by_role("button", name="Send my answers").click()
    expect(card.get_by_test_id("questionnaire-done")).to_have_text("Thank you: your answers are saved.")
    expect(page.get_by_test_id("connection")).to_have_text("Everything is synced")
    stored = QuestionnaireResponse.objects.get(patient=patient)
    assert (stored.instrument, stored.total, stored.answers) == (
        "midas",
        18,
        {"items": [3, 9, 2, 0, 4], "a": None, "b": 6},
    )
