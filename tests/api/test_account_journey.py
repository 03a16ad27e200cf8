"""The account steps a patient meets (issue 13, item 4), through allauth's headless API as
the app calls it: the condition at sign-up, the e-mailed code screen (a new code, another
address), password reset by an e-mailed code, our own e-mail wording, and the clinic named
before consent (the sign-up page's invitation check)."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.core import mail

from diary.models import ConditionChange, Patient, User
from diary.services.care import invitation_create
from tests.api.test_auth import BROWSER, NOW, Browser, code_from_last_mail
from tests.factories import PASSWORD, ClinicianFactory, PatientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_travel")]

SIGNUP = {"email": "sam@example.org", "password": "a long enough passphrase", "time_zone": "Europe/London"}


@pytest.fixture
def _travel():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def test_the_condition_chosen_at_sign_up_is_kept_as_the_patients_choice():
    browser = Browser()
    reply = browser.send("POST", f"{BROWSER}/auth/signup", SIGNUP | {"primary_condition": "fibromyalgia"})
    assert reply.status_code == 401, reply.json()
    patient = Patient.objects.get(user__email="sam@example.org")
    assert patient.primary_condition == "fibromyalgia"
    change = ConditionChange.objects.get(patient=patient)
    assert (change.condition_from, change.condition_to, change.set_by) == ("", "fibromyalgia", "patient")


@pytest.mark.parametrize("body", [{"primary_condition": "not_set"}, {}])
def test_not_sure_or_not_asked_leaves_it_for_the_clinician(body):
    reply = Browser().send("POST", f"{BROWSER}/auth/signup", SIGNUP | body)
    assert reply.status_code == 401, reply.json()
    assert Patient.objects.get(user__email="sam@example.org").primary_condition == "not_set"


def test_an_unknown_condition_at_sign_up_is_a_400_and_no_account():
    reply = Browser().send("POST", f"{BROWSER}/auth/signup", SIGNUP | {"primary_condition": "flu"})
    assert reply.status_code == 400
    assert {e["param"] for e in reply.json()["errors"]} == {"primary_condition"}
    assert not User.objects.filter(email="sam@example.org").exists()


def test_the_sign_up_e_mail_is_ours_subject_greeting_code_and_what_to_do():
    Browser().send("POST", f"{BROWSER}/auth/signup", SIGNUP | {"display_name": "Sam"})
    [message] = mail.outbox
    assert message.subject == "Your code to confirm your e-mail for LDN Diary"
    assert message.body.startswith("Hello Sam,")
    assert 'on the screen "Check your e-mail"' in message.body
    assert "Send a new code" in message.body
    assert "Hello from" not in message.body
    assert "127.0.0.1" not in message.body
    assert "testserver" not in message.body
    code_from_last_mail()  # the code on a line of its own


def test_a_new_code_on_the_code_screen_after_a_minute_and_the_old_one_no_longer_works(request):
    travel = request.getfixturevalue("_travel")
    browser = Browser()
    browser.send("POST", f"{BROWSER}/auth/signup", SIGNUP)
    first = code_from_last_mail()
    travel.shift(61)  # one code a minute per address (settings: confirm_email)
    resent = browser.send("POST", f"{BROWSER}/auth/email/verify/resend")
    assert resent.status_code == 200, resent.json()
    assert len(mail.outbox) == 2
    second = code_from_last_mail()
    assert second != first
    assert browser.send("POST", f"{BROWSER}/auth/email/verify", {"key": first}).status_code == 400
    assert browser.send("POST", f"{BROWSER}/auth/email/verify", {"key": second}).status_code == 200


def test_a_mistyped_address_is_changed_on_the_code_screen_and_the_code_goes_there():
    browser = Browser()
    browser.send("POST", f"{BROWSER}/auth/signup", SIGNUP | {"email": "sam@exmaple.org"})
    changed = browser.send("POST", f"{BROWSER}/account/email", {"email": "sam@example.org"})
    assert changed.status_code == 200, changed.json()
    assert mail.outbox[-1].to == ["sam@example.org"]
    verified = browser.send("POST", f"{BROWSER}/auth/email/verify", {"key": code_from_last_mail()})
    assert verified.status_code == 200, verified.json()
    assert User.objects.get(pk=Patient.objects.get().user_id).email == "sam@example.org"


def test_password_reset_by_an_e_mailed_code_signs_the_patient_in():
    patient = PatientFactory.create(user__email="pat@example.org", user__display_name="Pat")
    browser = Browser()
    asked = browser.send("POST", f"{BROWSER}/auth/password/request", {"email": "pat@example.org"})
    assert asked.status_code == 401, asked.json()
    assert [f["id"] for f in asked.json()["data"]["flows"] if f.get("is_pending")] == ["password_reset_by_code"]
    [message] = mail.outbox
    assert message.subject == "Your code to reset your LDN Diary password"
    assert message.body.startswith("Hello Pat,")
    assert 'on the screen "Reset your password"' in message.body
    reset = browser.send(
        "POST", f"{BROWSER}/auth/password/reset", {"key": code_from_last_mail(), "password": "a brand new passphrase"}
    )
    assert reset.status_code == 200, reset.json()
    assert browser.get("/api/v1/whoami").json()["email"] == "pat@example.org"
    patient.user.refresh_from_db()
    assert patient.user.check_password("a brand new passphrase")
    assert not patient.user.check_password(PASSWORD)


def test_a_reset_for_an_unknown_address_says_so_in_our_words_and_reveals_nothing_in_the_app():
    asked = Browser().send("POST", f"{BROWSER}/auth/password/request", {"email": "nobody@example.org"})
    assert asked.status_code == 401  # the same answer as for a real account
    [message] = mail.outbox
    assert message.subject == "No LDN Diary account for this address"
    assert "nobody@example.org" in message.body


def test_the_sign_up_page_names_the_clinic_and_clinician_before_consent():
    clinician = ClinicianFactory.create(user__display_name="Dr Lee", clinic__name="Northside Headache Clinic")
    invitation = invitation_create(clinician=clinician)
    reply = Browser().send("POST", "/api/v1/invitations/preview", {"code": invitation.code})
    assert reply.status_code == 200, reply.json()
    assert (reply.json()["clinic"], reply.json()["clinician"]) == ("Northside Headache Clinic", "Dr Lee")
    wrong = Browser().send("POST", "/api/v1/invitations/preview", {"code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 400
    assert list(wrong.json()["errors"]) == ["code"]


def test_the_invitation_check_is_rate_limited():
    browser = Browser()
    answers = [browser.send("POST", "/api/v1/invitations/preview", {"code": "AAAA-BBBB-CCCC"}) for _ in range(31)]
    assert [a.status_code for a in answers[:30]] == [400] * 30
    assert answers[30].status_code == 429


def test_the_invitation_check_counts_tries_per_address():
    """The limit reads the client's address through the API's request (allauth's rate limit
    is given DRF's Request, which hands it the HttpRequest's META)."""
    browser = Browser()
    browser.defaults["REMOTE_ADDR"] = "203.0.113.7"
    answers = [browser.send("POST", "/api/v1/invitations/preview", {"code": "AAAA-BBBB-CCCC"}) for _ in range(31)]
    assert answers[30].status_code == 429
    elsewhere = Browser()
    elsewhere.defaults["REMOTE_ADDR"] = "198.51.100.20"
    assert elsewhere.send("POST", "/api/v1/invitations/preview", {"code": "AAAA-BBBB-CCCC"}).status_code == 400


def test_the_invitation_check_refuses_when_there_is_no_address_to_count_tries_by():
    """A proxy set-up that hides the client's address leaves the limit nothing to count by:
    the check fails closed with the limit's own 429, never an undocumented answer."""
    browser = Browser()
    token = browser.cookies["csrftoken"].value
    reply = browser.post(
        "/api/v1/invitations/preview",
        json.dumps({"code": "AAAA-BBBB-CCCC"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
        REMOTE_ADDR="",
    )
    assert reply.status_code == 429, reply.content
    assert reply["Content-Type"] == "application/problem+json"
