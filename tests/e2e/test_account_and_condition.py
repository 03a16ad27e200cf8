"""Issue 13, the parts that need the test server's own set-up (the live server on the real
PostgreSQL): "Send a new code" once the minute is up (the clock moved on), the sign-up page
naming the clinic and clinician before consent, and the clinician setting the condition
of a patient who was not sure."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import Page, expect

from diary.models import AuditEvent, CareLink, ConditionChange, Patient
from diary.services.care import invitation_create
from tests.e2e.axe import axe_check
from tests.e2e.conftest import pick
from tests.e2e.test_clinician import axe, clinician_sign_in, desk  # noqa: F401 (desk: a fixture)
from tests.factories import PASSWORD, TOTP_SECRET, ClinicianFactory, PatientFactory, link

pytestmark = pytest.mark.e2e

CODE = re.compile(r"^\s*([A-Z0-9]{3,5}(?:-[A-Z0-9]{3,5})?)\s*$", re.MULTILINE)


def last_code() -> str:
    match = CODE.search(str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    return match.group(1)


def start_sign_up(page: Page, url: str, email: str) -> None:
    page.goto(url + "/")
    page.get_by_role("button", name="New here? Create an account").click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("a long enough passphrase")
    pick(page, "What do you take LDN for?", "Not sure: my clinician will set it")


def test_a_new_code_is_offered_once_the_minute_is_up_and_the_old_one_stops_working(
    page: Page, live_server: Any
) -> None:
    # The server allows one code a minute per address; the page's clock is moved on below,
    # and the server's minute is over when its rate-limit counts (in Redis) are gone.
    page.clock.install()
    start_sign_up(page, live_server.url, "wait@example.org")
    page.get_by_role("button", name="Create an account").click()
    expect(page.get_by_test_id("code-sent-to")).to_contain_text("wait@example.org")
    first = last_code()
    resend = page.get_by_role("button", name=re.compile(r"^Send a new code"))
    expect(resend).to_have_text(re.compile(r"^Send a new code \(in \d+ s\)$"))
    expect(resend).to_be_disabled()
    axe_check(page, "The code screen")
    page.clock.fast_forward(61_000)
    expect(resend).to_have_text("Send a new code")
    cache.clear()
    resend.click()
    expect(page.get_by_role("status")).to_have_text(
        "A new code is on its way to wait@example.org. The earlier one no longer works."
    )
    expect(resend).to_be_disabled()  # the next minute starts
    second = last_code()
    assert second != first
    page.get_by_label("Code from the e-mail").fill(first)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("alert")).to_be_visible()
    page.get_by_label("Code from the e-mail").fill(second)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("connection")).to_have_text("Everything is synced")
    assert Patient.objects.get(user__email="wait@example.org").primary_condition == "not_set"


def test_the_sign_up_page_names_the_clinic_and_clinician_before_the_patient_consents(
    page: Page, live_server: Any
) -> None:
    clinician = ClinicianFactory.create(user__display_name="Dr Lee", clinic__name="Northside Headache Clinic")
    invitation = invitation_create(clinician=clinician)
    page.goto(f"{live_server.url}/?invite={invitation.code}")  # the clinic's QR code
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    preview = page.get_by_test_id("invite-preview")
    expect(preview).to_have_text("Northside Headache Clinic (Dr Lee) invites you to share your diary.")
    consent = page.get_by_label(
        "I agree that Northside Headache Clinic's care team (invited by Dr Lee) can see my diary, my doses and my "
        "plan until I stop sharing."
    )
    expect(consent).not_to_be_checked()
    page.get_by_label("E-mail").fill("invited@example.org")
    page.get_by_label("Password").fill("a long enough passphrase")
    pick(page, "What do you take LDN for?", "Chronic migraine")
    page.get_by_role("button", name="Create an account").click()
    expect(page.get_by_role("alert")).to_contain_text("Sharing your diary with Northside Headache Clinic needs")
    assert not mail.outbox  # nothing happens without consent
    axe_check(page, "Sign-up: the clinic named before consent")
    consent.check()
    page.get_by_role("button", name="Create an account").click()
    expect(page.get_by_test_id("code-sent-to")).to_contain_text("invited@example.org")  # the e-mail is sent
    page.get_by_label("Code from the e-mail").fill(last_code())
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("connection")).to_have_text("Everything is synced")
    patient = Patient.objects.get(user__email="invited@example.org")
    assert (patient.primary_condition, CareLink.objects.get(patient=patient).status) == ("chronic_migraine", "active")


def test_the_clinician_sets_the_condition_of_a_patient_who_was_not_sure(
    desk: Page,  # noqa: F811 (the fixture)
    live_server: Any,
) -> None:
    clinician = ClinicianFactory.create(user__email="doc@example.org", user__display_name="Dr Okafor")
    patient = PatientFactory.create(user__display_name="Noor Ali", primary_condition="not_set")
    link(patient, clinician)
    clinician_sign_in(desk, live_server.url, "doc@example.org", PASSWORD, TOTP_SECRET)
    desk.goto(f"{live_server.url}/#/patients/{patient.public_id}")
    control = desk.get_by_test_id("condition-control")
    expect(control).to_contain_text("The patient was not sure of the condition")
    expect(control.get_by_label("Primary condition")).to_have_value("not_set")
    axe(desk, "patient page: the condition not set")
    control.get_by_label("Primary condition").select_option("fibromyalgia")
    control.get_by_role("button", name="Save the condition").click()
    expect(control.get_by_test_id("condition-history")).to_contain_text("Not set yet → Fibromyalgia, by Dr Okafor on")
    patient.refresh_from_db()
    assert patient.primary_condition == "fibromyalgia"
    assert patient.insights_stale_since is not None  # the verdict rule changed: recomputed
    change = ConditionChange.objects.get(patient=patient)
    assert (change.set_by, change.set_by_user_id) == ("clinician", clinician.user_id)
    audited = AuditEvent.objects.filter(actor_id=clinician.user_id, action="patient.condition_set", patient=patient)
    assert audited.exists()
